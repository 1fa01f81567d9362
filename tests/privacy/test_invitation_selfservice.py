"""A person's invitation data: shown and downloaded with their data (also when they never
registered), erased on request with the do-not-mail entry kept only after an objection, and
journalled so that a restored backup brings no invitee back."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import translation

from frukost.contacts.models import Suppression
from frukost.contacts.suppression import suppress
from frukost.core import erasure_journal
from frukost.events.models import Organisation
from frukost.invitations.models import InvitationLink, InvitationList, Invitee
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.privacy.selfservice import (
    data_for_link,
    erase_invitations,
    erase_registration,
    personal_data,
    replay_erasure_journal,
    request_data_link,
)
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db

WHEN = stockholm(2029, 4, 20, 9)


def make_list(organisation, event, name="Chefer i Sundsvall") -> InvitationList:
    return InvitationList.objects.create(organisation=organisation, event=event, name=name)


def invitee(invitation_list, email="anna@example.se", **values) -> Invitee:
    defaults = {
        "first_name": "Anna",
        "last_name": "Svensson",
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "region": "Västernorrland",
        "membership": "member",
        "invited_at": WHEN,
    }
    row = Invitee.objects.create(invitation_list=invitation_list, email=email, **(defaults | values))
    InvitationLink.objects.create(invitee=row, purpose="invite", token_hash=f"{row.pk:064d}")
    return row


def values(section) -> dict:
    return {f["key"]: f["value"] for f in section["fields"]}


def entry_values(section) -> list[dict]:
    return [{f["key"]: f["value"] for f in entry} for entry in section["entries"]]


def link_path() -> str:
    body = OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).latest("id").body_text
    return re.search(r"http://testserver(/mina-uppgifter/[^/\s]+/)", body).group(1)


def token() -> str:
    return link_path().strip("/").split("/")[-1]


def test_a_registrations_data_shows_the_organisations_invitee_rows_and_do_not_mail_entry(
    event, event_factory
):
    vision = Organisation.objects.create(name="Vision", slug="vision")
    invitee(make_list(event.organisation, event), opened_at=WHEN, declined_at=WHEN)
    invitee(make_list(vision, event_factory(organisation=vision), name="Visions lista"))
    suppress(organisation=event.organisation, email="anna@example.se", reason="added", detail="Ringde")
    registration = register(event=event, person=make_person("anna@example.se")).registration

    with translation.override("en"):
        sections = personal_data(registration)["sections"]

    [row] = entry_values(sections["invitation_lists"])
    assert (row["list"], row["event"], row["workplace"], row["region"]) == (
        "Chefer i Sundsvall",
        event.title,
        "Sundsvalls kommun",
        "Västernorrland",
    )
    assert row["membership"] == "Yes, I am a member"
    assert (row["opened_at"], row["declined_at"], row["registered_at"]) == (WHEN, WHEN, None)
    assert values(sections["do_not_mail"])["reason"] == "Added by an organiser"
    assert values(sections["do_not_mail"])["detail"] == "Ringde"


def test_someone_only_on_an_invitation_list_can_ask_for_their_data(client, event):
    invitee(make_list(event.organisation, event), unsubscribed_at=WHEN)
    suppress(organisation=event.organisation, email="anna@example.se", reason="unsubscribed")

    assert request_data_link(email="Anna@example.se", language="sv") is True
    assert request_data_link(email="nobody@example.se", language="sv") is False

    page = client.get(link_path())
    download = json.loads(client.get(link_path().rstrip("/") + ".json").content)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Akademikerförbundet SSR" in text and "Chefer i Sundsvall" in text
    [invitations] = download["invitations"]
    assert download["registrations"] == []
    assert invitations["organisation"] == "Akademikerförbundet SSR"
    assert [e["list"] for e in entry_values(invitations["invitation_lists"])] == ["Chefer i Sundsvall"]
    assert values(invitations["do_not_mail"])["reason"]


def test_erasing_invitation_data_after_an_unsubscribe_keeps_only_the_address_and_reason(client, event):
    row = invitee(make_list(event.organisation, event), unsubscribed_at=WHEN)
    suppress(organisation=event.organisation, email="anna@example.se", reason="unsubscribed")
    request_data_link(email="anna@example.se", language="sv")
    path = link_path()

    asked = client.post(path, {"action": "erase-invitations", "organisation": event.organisation_id})
    assert asked.status_code == 200 and Invitee.objects.count() == 1
    assert "do-not-mail" in asked.content.decode() or "spärrlista" in asked.content.decode()
    done = client.post(path, {"action": "confirm-erase-invitations", "organisation": event.organisation_id})

    assert done.status_code == 302
    assert (Invitee.objects.count(), InvitationLink.objects.count()) == (0, 0)
    assert list(Suppression.objects.values_list("email", "reason", "detail")) == [
        ("anna@example.se", "unsubscribed", "")
    ]
    assert InvitationList.objects.get().erased_invitees == 1
    [line] = list(erasure_journal.entries())
    assert [r.id for r in line.invitees] == [r.id for r in line.unsubscribed] == [row.pk]


def test_erasing_invitation_data_without_an_objection_takes_a_bounce_off_the_list_too(event):
    invitee(make_list(event.organisation, event))
    suppress(organisation=event.organisation, email="anna@example.se", reason="bounced", detail="550")
    request_data_link(email="anna@example.se", language="sv")
    [data] = data_for_link(token()).invitations

    erased = erase_invitations(data=data)

    assert erased.kept_on_list is False
    assert (Invitee.objects.count(), Suppression.objects.count()) == (0, 0)


def test_an_invitee_who_unsubscribed_is_put_on_the_list_if_it_had_no_entry(event):
    invitee(make_list(event.organisation, event), unsubscribed_at=WHEN)
    request_data_link(email="anna@example.se", language="sv")
    [data] = data_for_link(token()).invitations

    erase_invitations(data=data)

    assert list(Suppression.objects.values_list("email", "reason")) == [("anna@example.se", "unsubscribed")]


def test_erasing_a_registration_erases_the_organisations_invitee_rows_and_keeps_an_unsubscribe(
    event, event_factory
):
    vision = Organisation.objects.create(name="Vision", slug="vision")
    other = invitee(make_list(vision, event_factory(organisation=vision)))
    row = invitee(make_list(event.organisation, event), unsubscribed_at=WHEN)
    suppress(organisation=event.organisation, email="anna@example.se", reason="unsubscribed")
    registration = register(event=event, person=make_person("anna@example.se")).registration

    erase_registration(registration=registration)

    assert list(Invitee.objects.values_list("pk", flat=True)) == [other.pk]
    assert list(Suppression.objects.values_list("organisation__slug", "reason")) == [
        ("akademikerforbundet-ssr", "unsubscribed")
    ]
    [line] = list(erasure_journal.entries())
    assert [r.id for r in line.invitees] == [row.pk]


def test_the_replay_after_a_restore_erases_the_invitee_again_and_puts_the_unsubscribe_back(event):
    invitation_list = make_list(event.organisation, event)
    row = invitee(invitation_list, unsubscribed_at=WHEN)
    request_data_link(email="anna@example.se", language="sv")
    [data] = data_for_link(token()).invitations
    erase_invitations(data=data)
    # As a restore of last night's backup would leave it: the row back, the unsubscribe not yet made.
    Suppression.objects.all().delete()
    invitee(invitation_list, pk=row.pk, unsubscribed_at=None)
    # Somebody else's row that got an erased id again, on a list imported after the backup: spared.
    later = make_list(event.organisation, event, name="Ny lista")
    InvitationList.objects.filter(pk=later.pk).update(
        created_at=invitation_list.created_at + dt.timedelta(days=1)
    )

    assert replay_erasure_journal() == (0, 1)
    assert replay_erasure_journal() == (0, 0)
    assert Invitee.objects.count() == 0
    assert list(Suppression.objects.values_list("email", "reason")) == [("anna@example.se", "unsubscribed")]


def test_the_replay_spares_a_row_that_got_the_id_again_on_a_later_list(event):
    first = make_list(event.organisation, event)
    row = invitee(first)
    request_data_link(email="anna@example.se", language="sv")
    [data] = data_for_link(token()).invitations
    erase_invitations(data=data)
    later = make_list(event.organisation, event, name="Ny lista")
    InvitationList.objects.filter(pk=later.pk).update(created_at=first.created_at + dt.timedelta(days=1))
    invitee(later, email="bo@example.se", pk=row.pk)

    assert replay_erasure_journal() == (0, 0)
    assert list(Invitee.objects.values_list("email", flat=True)) == ["bo@example.se"]


def test_a_journalled_unsubscribe_alone_is_put_back_after_a_restore_and_the_row_kept(event):
    invitation_list = make_list(event.organisation, event)
    row = invitee(invitation_list)
    # What the unsubscribe page may write: the objection, not an erasure.
    erasure_journal.record(
        organisation_id=event.organisation_id, unsubscribed=[(row.pk, invitation_list.created_at)]
    )

    assert replay_erasure_journal() == (0, 0)
    assert Invitee.objects.count() == 1
    assert list(Suppression.objects.values_list("email", "reason")) == [("anna@example.se", "unsubscribed")]
