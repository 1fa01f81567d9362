"""Reading an organisation's contacts and leads (the back office's lists)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from frukost.contacts.models import Contact, Lead
from frukost.events.models import Event, Organisation


def contacts_for(organisation: Organisation, *, search: str = "") -> QuerySet[Contact]:
    """The organisation's contacts by name, with the event each consented at (one query)."""
    contacts = Contact.objects.filter(organisation=organisation).select_related("source_event")
    for word in search.split():
        contacts = contacts.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(workplace__icontains=word)
        )
    return contacts.order_by("last_name", "first_name", "id")


def leads_for(
    organisation: Organisation, *, event_id: int | None = None, contacted: bool | None = None
) -> QuerySet[Lead]:
    """The organisation's leads, newest yes first, with their event and who contacted them (one
    query), for one event and/or only those (not) contacted yet if asked."""
    leads = Lead.objects.filter(organisation=organisation).select_related("source_event", "contacted_by")
    if event_id is not None:
        leads = leads.filter(source_event_id=event_id)
    if contacted is not None:
        leads = leads.filter(contacted_at__isnull=not contacted)
    return leads.order_by("-consented_at", "-id")


def lead_events(organisation: Organisation) -> QuerySet[Event]:
    """The events the organisation's leads came from, newest first (the list's filter)."""
    return Event.objects.filter(
        organisation=organisation,
        pk__in=Lead.objects.filter(organisation=organisation).values("source_event_id"),
    ).order_by("-starts_at", "-id")
