"""The one place consents to future invitations are given and withdrawn."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from frukost.contacts.exceptions import InvalidConsent
from frukost.contacts.models import Contact
from frukost.core import erasure_journal
from frukost.core.emails import normalise_email
from frukost.core.models import audit
from frukost.events.models import Event, Organisation


def record_consent(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    workplace: str = "",
    job_title: str = "",
    language: str = "sv",
    text: str,
    event: Event | None = None,
    actor=None,
) -> Contact:
    """The person asked `organisation` for future invitations: keep who they are, when and what they saw.

    One contact per organisation and address: a repeat consent (a later registration with the box
    ticked) refreshes the time, the text and the details they gave. Call inside the transaction
    of the registration that carried the consent, so that both commit or neither does.
    """
    email = normalise_email(email)
    text = (text or "").strip()
    if not email or not text:
        raise InvalidConsent("a consent needs the person's address and the text they were shown")
    values = {
        "first_name": (first_name or "").strip(),
        "last_name": (last_name or "").strip(),
        "workplace": (workplace or "").strip(),
        "job_title": (job_title or "").strip(),
        "language": language or "sv",
        "consent_text": text,
        "consented_at": timezone.now(),
        "source_event": event,
    }
    with transaction.atomic():
        contact, created = Contact.objects.update_or_create(
            organisation=organisation, email=email, defaults=values
        )
        audit(
            "contact.consented",
            organisation_id=organisation.pk,
            event_id=event.pk if event else None,
            actor=actor,
            contact_id=contact.pk,
            repeated=not created,
        )
    return contact


def withdraw_consent(*, organisation: Organisation, email: str, actor=None) -> bool:
    """The person no longer wants invitations: delete their contact, leaving no personal data.

    The audit entry keeps the contact's id only, and the erasure journal its id and creation time
    (a restored backup must not bring the contact back: core.erasure_journal). Returns whether there was a
    contact to delete (withdrawing twice is not an error: the person gets what they asked for).
    """
    email = normalise_email(email)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(organisation=organisation, email=email).first()
        if contact is None:
            return False
        contact_id, created_at = contact.pk, contact.created_at
        contact.delete()
        audit("contact.withdrawn", organisation_id=organisation.pk, actor=actor, contact_id=contact_id)
        erasure_journal.record(organisation_id=organisation.pk, contacts=[(contact_id, created_at)])
    return True
