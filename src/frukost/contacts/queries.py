"""Reading an organisation's contacts, leads and do-not-mail list (the back office's lists)."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from frukost.contacts.models import Contact, Lead, Suppression
from frukost.events.models import Event, Organisation


def _suppression_reason():
    return Subquery(
        Suppression.objects.filter(
            organisation_id=OuterRef("organisation_id"), email=OuterRef("email")
        ).values("reason")[:1]
    )


def contacts_for(organisation: Organisation, *, search: str = "") -> QuerySet[Contact]:
    """The organisation's contacts by name, with the event each consented at and, as
    `suppression_reason`, why the address is on the do-not-mail list if it is (one query): a
    consent does not outrank a bounce or an organiser's entry, so such a contact is not invited."""
    contacts = (
        Contact.objects.filter(organisation=organisation)
        .select_related("source_event")
        .annotate(suppression_reason=_suppression_reason())
    )
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


def invitable_contacts(organisation: Organisation) -> QuerySet[Contact]:
    """The contacts an invitation list may be made of: those who consented and whose address is not
    on the organisation's do-not-mail list (for whatever reason). One query."""
    return (
        Contact.objects.filter(organisation=organisation)
        .exclude(
            email__in=Suppression.objects.filter(organisation=organisation).values("email"),
        )
        .order_by("last_name", "first_name", "id")
    )


def suppressions_for(
    organisation: Organisation, *, search: str = "", reason: str = ""
) -> QuerySet[Suppression]:
    """The organisation's do-not-mail list, newest first, searched by address (each word a part of
    it) and for one reason if asked (one query)."""
    rows = Suppression.objects.filter(organisation=organisation)
    for word in search.split():
        rows = rows.filter(email__icontains=word)
    if reason:
        rows = rows.filter(reason=reason)
    return rows.order_by("-created_at", "-id")
