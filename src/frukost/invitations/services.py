"""Creating invitation lists: from an uploaded member register, or from the organisation's contacts.

Nothing is written until the organiser confirms the preview; then one transaction creates the
list and an Invitee for each row that is still new, classified again inside the transaction (a
person who registered or unsubscribed since the preview is not imported). Sending, reminders and
answers live in their own modules (sending.py, reminders.py, responses.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from frukost.contacts.models import Contact
from frukost.core.models import audit
from frukost.events.models import Event, Organisation, Series
from frukost.invitations import importing, staging
from frukost.invitations.enums import ListSource
from frukost.invitations.exceptions import InvitationError, NothingToImport, UploadExpired
from frukost.invitations.importing import Person
from frukost.invitations.models import InvitationList, Invitee

_BATCH = 500


@dataclass(frozen=True)
class FileChoices:
    """How the organiser asked the file to be read (the preview's form)."""

    mapping: dict[str, int]
    delimiter: str = ""
    sheet: str = ""
    include_membership: bool = False


def create_list(
    *,
    organisation: Organisation,
    target: Event | Series,
    name: str,
    people: Sequence[Person],
    source: ListSource | str,
    actor=None,
) -> InvitationList:
    """Create an invitation list with an Invitee for each of `people` that is new to `target`.

    All or nothing, in one transaction; the classification is done again inside it. Raises
    NothingToImport when nobody is left to invite. Audited with the count of each kind.
    """
    if target.organisation_id != organisation.pk:
        raise InvitationError()
    name = " ".join((name or "").split())[:200]
    with transaction.atomic():
        preview = importing.classify(people, organisation_id=organisation.pk, target=target)
        new = preview.new_rows
        if not new:
            raise NothingToImport()
        invitation_list = InvitationList.objects.create(
            organisation=organisation,
            event=target if isinstance(target, Event) else None,
            series=target if isinstance(target, Series) else None,
            name=name or str(target),
            source=source,
            created_by=actor,
        )
        invitees = [
            Invitee(
                invitation_list=invitation_list,
                email=row.email,
                first_name=row.person.first_name,
                last_name=row.person.last_name,
                workplace=row.person.workplace,
                job_title=row.person.job_title,
                region=row.person.region,
                membership=row.person.membership,
                language=row.person.language if row.person.language in ("sv", "en") else "sv",
                line_number=row.person.line,
            )
            for row in new
        ]
        for start in range(0, len(invitees), _BATCH):
            Invitee.objects.bulk_create(invitees[start : start + _BATCH])
        audit(
            "invitation_list.imported",
            event_id=invitation_list.event_id,
            organisation_id=organisation.pk,
            actor=actor,
            list_id=invitation_list.pk,
            source=str(source),
            **{f"count_{kind}": count for kind, count in preview.counts.items()},
        )
    return invitation_list


def import_upload(
    *,
    token: str,
    organisation: Organisation,
    member,
    target: Event | Series,
    name: str,
    choices: FileChoices | None = None,
    actor=None,
) -> InvitationList:
    """Import the staged upload `token` (the file, or the contacts) as a list for `target`.

    A second submission of the same confirmation returns the list the first one created.
    The staged file is deleted once the list exists; after a refusal it is kept for another try.
    """
    claimed = staging.claim(token, organisation_id=organisation.pk, member_id=member.pk)
    if isinstance(claimed, int):
        return InvitationList.objects.get(pk=claimed, organisation=organisation)
    upload = claimed
    if (upload.event_id, upload.series_id) != (
        target.pk if isinstance(target, Event) else None,
        target.pk if isinstance(target, Series) else None,
    ):
        staging.release(token)
        raise UploadExpired()
    try:
        if upload.source == ListSource.CONTACTS:
            people = people_from_contacts(organisation)
        else:
            choices = choices or FileChoices(mapping={})
            table = importing.read_table(upload.data, delimiter=choices.delimiter, sheet=choices.sheet)
            people = importing.people_from(
                table, choices.mapping, include_membership=choices.include_membership
            )
        invitation_list = create_list(
            organisation=organisation,
            target=target,
            name=name,
            people=people,
            source=upload.source,
            actor=actor,
        )
    except BaseException:
        staging.release(token)
        raise
    staging.finish(upload, invitation_list.pk)
    return invitation_list


def people_from_contacts(organisation: Organisation) -> list[Person]:
    """The organisation's contacts (who asked for future invitations) as rows of a list."""
    return [
        Person(
            line=None,
            email=c.email,
            first_name=c.first_name,
            last_name=c.last_name,
            workplace=c.workplace,
            job_title=c.job_title,
            language=c.language,
        )
        for c in Contact.objects.filter(organisation=organisation).order_by("last_name", "first_name", "id")
    ]
