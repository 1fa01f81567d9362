"""The one place consents are given and withdrawn: to future invitations (Contact) and to being
contacted by the local representative after an event (Lead).

The feedback after an event asks non-members and colleagues brought along "may the union
contact you?"; a yes is handed to `record_lead` by the caller with plain values (contacts knows
no registrations). Without a yes there is no lead: `record_lead` refuses one without the words
the person saw. Every change is audited with ids only.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from frukost.contacts.enums import LeadKind, SuppressionReason
from frukost.contacts.exceptions import InvalidConsent, InvalidLead, NoConsent, NoteTooLong
from frukost.contacts.models import Contact, Lead, Suppression
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
    address_proven: bool = False,
) -> Contact:
    """The person asked `organisation` for future invitations: keep who they are, when and what they saw.

    One contact per organisation and address: a repeat consent (a later registration with the box
    ticked) refreshes the time, the text and the details they gave. Call inside the transaction
    of the registration that carried the consent, so that both commit or neither does.

    A consent given by the address's owner is newer and explicit: with `address_proven` (the
    person acted through a link mailed to the address: their personal page, a colleague's own
    confirmation) it lifts an earlier unsubscribe of the address from the organisation's
    do-not-mail list (audited `suppression.lifted`). The public form proves nothing (anyone can type
    anyone's address), so a consent given there is recorded but the unsubscribe stays. A bounce or
    an organiser's entry always stays (the address may still be undeliverable, or the person asked
    by phone).
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
    # On PostgreSQL no savepoint of its own: the callers run it inside the registration's
    # transaction and let an error end that transaction, and SAVEPOINT and RELEASE are a round
    # trip each (1.5 % of a POST's instructions, 2 in 5 consenting; on SQLite not measurable).
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(savepoint=not postgresql):
        if postgresql:
            contact, created = _upsert_contact(organisation, email, values)
        else:
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
        lifted = 0
        if address_proven:
            lifted, _kinds = Suppression.objects.filter(
                organisation=organisation, email=email, reason=SuppressionReason.UNSUBSCRIBED
            ).delete()
        if lifted:
            audit(
                "suppression.lifted",
                organisation_id=organisation.pk,
                event_id=event.pk if event else None,
                actor=actor,
                contact_id=contact.pk,
            )
    return contact


def _upsert_contact(organisation: Organisation, email: str, values: dict[str, Any]) -> tuple[Contact, bool]:
    """PostgreSQL: `update_or_create`'s result in one statement. The ORM's way takes eight round
    trips (SAVEPOINT, SELECT … FOR UPDATE, SAVEPOINT, INSERT or UPDATE, two RELEASEs and the
    outer savepoint's pair); `INSERT … ON CONFLICT DO UPDATE` locks, inserts or updates at once,
    and waits for a concurrent insert of the same address as the ORM's retry would. `xmax = 0`
    only on a row this statement inserted (an updated row carries the updating transaction)."""
    now = timezone.now()
    row = {
        **values,
        "organisation": organisation.pk,
        "email": email,
        "source_event": values["source_event"].pk if values["source_event"] else None,
        "created_at": now,
        "updated_at": now,
    }
    sql, names = _upsert_contact_sql(connection.alias, tuple(values))
    with connection.cursor() as cursor:
        cursor.execute(sql, [row[name] for name in names])
        *fields, inserted = cursor.fetchone()
    return Contact.from_db(connection.alias, _CONTACT_FIELDS, fields), inserted


_CONTACT_FIELDS = [field.attname for field in Contact._meta.concrete_fields]


@functools.cache
def _upsert_contact_sql(alias: str, refreshed_fields: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The upsert's SQL (built once per process, database and set of fields: names only, no
    value) and the fields its parameters stand for, in order: the address's, `refreshed_fields`
    (what `update_or_create` would set, its `defaults`) and the two times."""
    meta = Contact._meta
    quote = connections[alias].ops.quote_name
    written = ("organisation", "email", *refreshed_fields, "created_at", "updated_at")
    kept = {"organisation", "email", "created_at"}  # what a repeat consent leaves as it was
    columns = {name: quote(meta.get_field(name).column) for name in written}
    refreshed = ", ".join(
        f"{column} = EXCLUDED.{column}" for name, column in columns.items() if name not in kept
    )
    returned = ", ".join(quote(meta.get_field(name).column) for name in _CONTACT_FIELDS)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns.values())})"  # noqa: S608 - names only
        f" VALUES ({', '.join(['%s'] * len(written))})"
        f" ON CONFLICT ON CONSTRAINT {quote('contact_one_per_address')} DO UPDATE SET {refreshed}"
        f" RETURNING {returned}, (xmax = 0)"
    )
    return sql, written


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


# --- Leads: may the local representative contact you? -------------------------------------

NOTE_MAX_LENGTH = Lead._meta.get_field("note").max_length
# What a lead keeps of the feedback (the caller's snapshot, these keys only).
ANSWER_KEYS = ("rating", "most_useful", "comment")


def _answers(answers: Mapping[str, Any] | None) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key in ANSWER_KEYS:
        value = (answers or {}).get(key)
        if key == "rating":
            kept[key] = int(value) if isinstance(value, int | str) and str(value).strip().isdigit() else None
        else:
            kept[key] = str(value or "").strip()
    return kept


def record_lead(
    *,
    organisation: Organisation,
    event: Event | None,
    registration_id: int | None,
    first_name: str,
    last_name: str,
    email: str,
    workplace: str,
    job_title: str,
    language: str,
    kind: LeadKind | str,
    answers: Mapping[str, Any] | None,
    consent_text: str,
    at: dt.datetime | None = None,
) -> Lead:
    """The person said yes to being contacted by `organisation`'s local representative after `event`.

    `consent_text` is the question and its explanation exactly as the person saw them, in their
    language; `answers` what they answered in the feedback (rating, most useful, comment).
    One lead per organisation, event and address: a repeat yes refreshes the time, the words, the
    details and the answers, and keeps the representative's follow-up. Raises NoConsent without
    `consent_text` (no yes, no lead: nothing is stored), InvalidLead without an address, for an
    unknown kind or for another organisation's event. Call inside the caller's transaction.
    """
    consent_text = (consent_text or "").strip()
    if not consent_text:
        raise NoConsent("a lead needs the person's yes: the words they were shown")
    email = normalise_email(email)
    if not email:
        raise InvalidLead("a lead needs an e-mail address")
    if kind not in LeadKind.values:
        raise InvalidLead(f"unknown kind of lead: {kind}")
    if event is not None and event.organisation_id != organisation.pk:
        raise InvalidLead("the event belongs to another organisation")
    values = {
        "registration_id": registration_id,
        "first_name": (first_name or "").strip(),
        "last_name": (last_name or "").strip(),
        "workplace": (workplace or "").strip(),
        "job_title": (job_title or "").strip(),
        "language": (language or "sv")[:2],
        "kind": str(kind),
        "answers": _answers(answers),
        "consent_text": consent_text,
        "consented_at": at or timezone.now(),
    }
    with transaction.atomic():
        lead, created = Lead.objects.update_or_create(
            organisation=organisation, source_event=event, email=email, defaults=values
        )
        audit(
            "lead.recorded",
            organisation_id=organisation.pk,
            event_id=event.pk if event else None,
            lead_id=lead.pk,
            repeated=not created,
        )
    return lead


def withdraw_lead(*, organisation: Organisation, email: str, event: Event | None = None, actor=None) -> int:
    """The person no longer wants to be contacted (they said no later, or asked to be erased):
    delete their lead for `event`, or every lead of the address with the organisation if no event
    is given. The audit log keeps the ids, the erasure journal ids and creation times (a restored
    backup must not bring a lead back). Returns how many leads went (none is not an error)."""
    email = normalise_email(email)
    if not email:
        return 0
    with transaction.atomic():
        leads = Lead.objects.select_for_update().filter(organisation=organisation, email=email)
        if event is not None:
            leads = leads.filter(source_event=event)
        gone = list(leads.values_list("pk", "created_at", "source_event_id"))
        if not gone:
            return 0
        Lead.objects.filter(pk__in=[pk for pk, _created, _event in gone]).delete()
        for pk, _created, event_id in gone:
            audit(
                "lead.withdrawn", organisation_id=organisation.pk, event_id=event_id, actor=actor, lead_id=pk
            )
        erasure_journal.record(
            organisation_id=organisation.pk, leads=[(pk, created) for pk, created, _event in gone]
        )
    return len(gone)


def mark_contacted(lead: Lead, *, actor, note: str = "") -> Lead:
    """The representative has contacted the person: when, by whom, and their short note (optional).

    Marking again changes the note and keeps the first time. Raises NoteTooLong.
    """
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise NoteTooLong(NOTE_MAX_LENGTH)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        again = lead.contacted_at is not None
        if not again:
            lead.contacted_at = timezone.now()
            lead.contacted_by = actor
        lead.note = note
        lead.save(update_fields=["contacted_at", "contacted_by", "note", "updated_at"])
        audit(
            "lead.contacted",
            organisation_id=lead.organisation_id,
            event_id=lead.source_event_id,
            actor=actor,
            lead_id=lead.pk,
            repeated=again,
        )
    return lead


def unmark_contacted(lead: Lead, *, actor) -> Lead:
    """Undo `mark_contacted` (a slip of the finger): not contacted, no note. Nothing to undo is no error."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.contacted_at is None:
            return lead
        lead.contacted_at, lead.contacted_by, lead.note = None, None, ""
        lead.save(update_fields=["contacted_at", "contacted_by", "note", "updated_at"])
        audit(
            "lead.contact_undone",
            organisation_id=lead.organisation_id,
            event_id=lead.source_event_id,
            actor=actor,
            lead_id=lead.pk,
        )
    return lead
