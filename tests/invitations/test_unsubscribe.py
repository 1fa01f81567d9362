"""An unsubscribed address is never mailed again by any path: not the invitation queued before,
not a reminder, not a later list (of any event of the organisation); but a confirmation of the
person's own registration still goes."""

from __future__ import annotations

import pytest
from django.test import Client

from frukost.contacts.models import Suppression
from frukost.invitations.models import Invitee
from frukost.invitations.reminders import send_invitation_reminders
from frukost.invitations.responses import unsubscribe
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.invitations.factories import invitee, make_list, send

pytestmark = pytest.mark.django_db


def delivered(mailoutbox) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in mailoutbox]


def test_one_click_from_the_header_stops_every_later_invitation_and_reminder(
    event, event_factory, frozen, mailoutbox
):
    frozen("2029-04-20 10:00")
    first = make_list(event=event, people=["anna@example.se", "bo@example.se"])
    send(first)
    send_due()
    [anna_mail] = [m for m in mailoutbox if m.to == ["anna@example.se"]]
    header = anna_mail.extra_headers["List-Unsubscribe"].strip("<>")

    response = Client(enforce_csrf_checks=True).post(
        header.removeprefix("http://testserver"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    mailoutbox.clear()

    # The reminder of this list, and a new list for another event, both reach only Bo.
    frozen("2029-04-28 09:00")
    send_invitation_reminders()
    second = make_list(event=event_factory(), people=["anna@example.se", "bo@example.se"])
    assert send(second) == 1
    send_due()

    assert sorted(to for to, _subject in delivered(mailoutbox)) == ["bo@example.se", "bo@example.se"]
    assert invitee(first, "anna@example.se").unsubscribed_at is not None


def test_an_invitation_queued_before_the_unsubscribe_is_not_sent(event, frozen, mailoutbox):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    send(invitation_list)
    other = make_list(event=event, people=["anna@example.se"])  # the same address on a second list

    unsubscribe(invitee=invitee(other, "anna@example.se"))
    send_due()

    assert mailoutbox == []
    assert OutboxMessage.objects.get().status == MessageStatus.SKIPPED
    # Every list of the organisation with the address shows it.
    assert Invitee.objects.filter(email="anna@example.se", unsubscribed_at__isnull=True).count() == 0


def test_their_own_registrations_mail_still_goes(event, frozen, mailoutbox):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    unsubscribe(invitee=invitee(invitation_list, "anna@example.se"))

    register(event=event, person=make_person("anna@example.se"))
    send_due()

    assert [m.to for m in mailoutbox] == [["anna@example.se"]]
    assert OutboxMessage.objects.get().kind == MailKind.CONFIRMATION
    assert Suppression.objects.get().reason == "unsubscribed"


def test_unsubscribing_twice_is_harmless_and_a_bounce_does_not_downgrade_it(event, frozen):
    from frukost.contacts.suppression import suppress

    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    person = invitee(invitation_list, "anna@example.se")

    unsubscribe(invitee=person)
    unsubscribe(invitee=person)
    suppress(organisation=event.organisation, email="anna@example.se", reason="bounced")

    assert list(Suppression.objects.values_list("reason", flat=True)) == ["unsubscribed"]


def test_a_later_import_shows_the_unsubscribed_address_and_leaves_it_out(event, event_factory, frozen):
    from frukost.invitations.importing import Person, RowKind, classify
    from frukost.invitations.services import create_list

    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    unsubscribe(invitee=invitee(invitation_list, "anna@example.se"))
    later = event_factory()
    people = [Person(line=2, email="ANNA@example.se"), Person(line=3, email="bo@example.se")]

    preview = classify(people, organisation_id=event.organisation_id, target=later)
    assert [row.kind for row in preview.rows] == [RowKind.SUPPRESSED, RowKind.NEW]

    new_list = create_list(
        organisation=event.organisation, target=later, name="Ny", people=people, source="file"
    )
    assert list(new_list.invitees.values_list("email", flat=True)) == ["bo@example.se"]


def test_an_import_from_contacts_leaves_the_unsubscribed_out(event, event_factory, frozen):
    from frukost.contacts.services import record_consent
    from frukost.invitations.services import create_list, people_from_contacts

    frozen("2029-04-20 10:00")
    for address in ("anna@example.se", "bo@example.se"):
        record_consent(
            organisation=event.organisation, email=address, first_name="A", last_name="B", text="Ja"
        )
    invitation_list = make_list(event=event, people=["anna@example.se"])
    unsubscribe(invitee=invitee(invitation_list, "anna@example.se"))

    contacts_list = create_list(
        organisation=event.organisation,
        target=event_factory(),
        name="Kontakter",
        people=people_from_contacts(event.organisation),
        source="contacts",
    )
    assert send(contacts_list) == 1
    assert list(OutboxMessage.objects.filter(kind=MailKind.INVITATION).values_list("to", flat=True)) == [
        "bo@example.se"
    ]


def test_unsubscribing_unticks_the_box_on_their_registrations_and_is_journalled(
    event, frozen, django_capture_on_commit_callbacks
):
    from frukost.core import erasure_journal
    from frukost.registrations.models import Registration

    frozen("2029-04-20 10:00")
    register(
        event=event,
        person=make_person(
            "anna@example.se", wants_future_invitations=True, consent_text="Skicka inbjudningar"
        ),
    )
    assert Registration.objects.get(email="anna@example.se").wants_future_invitations is True
    invitation_list = make_list(event=event, people=["anna@example.se"])
    anna = invitee(invitation_list, "anna@example.se")

    with django_capture_on_commit_callbacks(execute=True):
        unsubscribe(invitee=anna)

    # Saving the personal page later cannot give the consent again behind their back.
    assert Registration.objects.get(email="anna@example.se").wants_future_invitations is False
    [line] = [entry for entry in erasure_journal.entries() if entry.unsubscribed]
    assert [(row.id, row.created) for row in line.unsubscribed] == [(anna.pk, invitation_list.created_at)]
