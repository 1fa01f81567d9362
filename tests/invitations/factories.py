"""Invitation lists and invitees made directly (the import builds them the same way)."""

from __future__ import annotations

import itertools

from django.db import transaction

from frukost.invitations.composer import MailText
from frukost.invitations.models import InvitationList, Invitee
from frukost.invitations.sending import send_invitations

_numbers = itertools.count(1)

TEXT = MailText(
    subject="Välkommen på chefsfrukost",
    body="Vi bjuder in dig till frukost.\n\nDet blir ett samtal om tillit.",
    subject_en="Welcome to the leadership breakfast",
    body_en="We invite you to breakfast.",
)


def make_list(*, event=None, series=None, people=3, organisation=None, **fields) -> InvitationList:
    """A list for the event (or series) with `people` invitees anna1@example.se, anna2@… (or the
    addresses given as `people`)."""
    organisation = organisation or (event.organisation if event else series.organisation)
    invitation_list = InvitationList.objects.create(
        organisation=organisation,
        event=event,
        series=series,
        name=f"Medlemsregistret {next(_numbers)}",
        **fields,
    )
    addresses = [f"anna{n}@example.se" for n in range(1, people + 1)] if isinstance(people, int) else people
    for line, address in enumerate(addresses, start=2):
        add_invitee(invitation_list, address, line_number=line)
    return invitation_list


def add_invitee(invitation_list, address, **fields) -> Invitee:
    fields.setdefault("first_name", "Anna")
    fields.setdefault("last_name", "Svensson")
    fields.setdefault("workplace", "Sundsvalls kommun")
    fields.setdefault("job_title", "Enhetschef")
    return Invitee.objects.create(invitation_list=invitation_list, email=address, **fields)


def send(invitation_list, text: MailText = TEXT, **kwargs) -> int:
    return send_invitations(invitation_list=invitation_list, text=text, **kwargs)


def invitee(invitation_list, address) -> Invitee:
    return Invitee.objects.get(invitation_list=invitation_list, email=address)


def in_transaction(fn, *args, **kwargs):
    with transaction.atomic():
        return fn(*args, **kwargs)
