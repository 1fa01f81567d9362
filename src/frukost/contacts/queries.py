"""Reading an organisation's contacts (the back office's list)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from frukost.contacts.models import Contact
from frukost.events.models import Organisation


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
