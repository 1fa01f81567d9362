"""Sending an invitation list: once, to those it may reach, composed in each invitee's language
with the event's facts and links that are minted only as the mail is handed over."""

from __future__ import annotations

import pytest
from django.utils import translation

from frukost.contacts.enums import SuppressionReason
from frukost.contacts.suppression import suppress
from frukost.invitations.composer import MailText
from frukost.invitations.models import InvitationLink, Invitee
from frukost.invitations.sending import (
    AlreadySent,
    NoRecipients,
    NothingOpen,
    preview_invitation,
    progress,
    progress_text,
)
from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.messaging.exceptions import InvalidAnnouncement
from frukost.registrations.services import register
from tests.conftest import read_eml_files
from tests.invitations.factories import TEXT, invitee, make_list, send

pytestmark = pytest.mark.django_db


def test_send_queues_one_bulk_unsubscribable_mail_per_invitee(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=3)

    assert send(invitation_list) == 3

    messages = OutboxMessage.objects.filter(kind=MailKind.INVITATION).order_by("to")
    assert [m.to for m in messages] == ["anna1@example.se", "anna2@example.se", "anna3@example.se"]
    assert {(m.priority, m.batch_id, m.list_unsubscribe) for m in messages} == {
        (Priority.BULK, invitation_list.pk, True)
    }
    assert sorted(m.ref_id for m in messages) == sorted(invitation_list.invitees.values_list("pk", flat=True))
    assert Invitee.objects.filter(invitation_list=invitation_list, invited_at__isnull=True).count() == 0
    invitation_list.refresh_from_db()
    assert invitation_list.sent_at is not None
    assert invitation_list.subject == "Välkommen på chefsfrukost"


def test_a_second_send_sends_nobody_twice_but_the_same_confirmation_returns_its_count(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=2)
    assert send(invitation_list, send_key="key-1") == 2

    assert send(invitation_list, send_key="key-1") == 2  # the same form posted twice
    with pytest.raises(AlreadySent):
        send(invitation_list, send_key="key-2")
    with pytest.raises(AlreadySent):
        send(invitation_list)
    assert OutboxMessage.objects.filter(kind=MailKind.INVITATION).count() == 2


def test_the_suppressed_the_registered_and_the_declined_are_left_out(event, person, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(
        event=event, people=["anna@example.se", "bo@example.se", "cecilia@example.se", "david@example.se"]
    )
    suppress(organisation=event.organisation, email="BO@example.se", reason=SuppressionReason.UNSUBSCRIBED)
    register(event=event, person=person("cecilia@example.se"))
    Invitee.objects.filter(email="david@example.se").update(declined_at="2029-04-19T10:00Z")

    assert preview_invitation(invitation_list=invitation_list, text=TEXT).recipient_count == 1
    assert send(invitation_list) == 1

    assert list(OutboxMessage.objects.filter(kind=MailKind.INVITATION).values_list("to", flat=True)) == [
        "anna@example.se"
    ]
    assert invitee(invitation_list, "bo@example.se").invited_at is None


def test_nobody_left_sends_nothing_and_leaves_the_list_unsent(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["bo@example.se"])
    suppress(organisation=event.organisation, email="bo@example.se", reason=SuppressionReason.BOUNCED)

    with pytest.raises(NoRecipients):
        send(invitation_list)

    invitation_list.refresh_from_db()
    assert invitation_list.sent_at is None


def test_after_the_deadline_there_is_nothing_to_invite_to(event, frozen):
    frozen("2029-05-02 10:00")
    invitation_list = make_list(event=event, people=1)

    with pytest.raises(NothingOpen):
        send(invitation_list)


def test_a_subject_with_a_line_break_is_refused(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=1)

    with pytest.raises(InvalidAnnouncement) as refused:
        send(invitation_list, MailText(subject="Hej\nBcc: x@example.se", body="Text"))

    assert set(refused.value.errors) == {"subject"}
    assert OutboxMessage.objects.count() == 0


def test_the_preview_shows_both_languages_with_the_facts_and_placeholder_links(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=1)

    preview = preview_invitation(invitation_list=invitation_list, text=TEXT)

    assert preview.swedish.subject == "Välkommen på chefsfrukost"
    assert preview.english.subject == "Welcome to the leadership breakfast"
    assert "Hej [förnamn]!" in preview.swedish.body_text
    assert "Onsdag 16 maj 2029, kl. 08.00–09.30" in preview.swedish.body_text
    assert "Anmäl dig senast tisdag 1 maj 2029." in preview.swedish.body_text
    assert "Wednesday 16 May 2029, 08:00–09:30" in preview.english.body_text
    assert "We invite you to breakfast." in preview.english.body_text
    assert "(mottagarens egen avregistreringslänk)" in preview.swedish.body_text
    assert OutboxMessage.objects.count() == 0 and InvitationLink.objects.count() == 0


def test_the_sent_mail_has_the_invitees_links_and_headers_in_their_language(
    event, frozen, mail_dir, settings
):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    Invitee.objects.filter(email="anna@example.se").update(language="en", first_name="Anna")
    send(invitation_list)

    assert send_due() == 1

    [mail] = read_eml_files(mail_dir)
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Welcome to the leadership breakfast"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe_url in text
    assert "Hello Anna," in text
    assert "/kan-inte-komma/" in text
    links = InvitationLink.objects.filter(invitee__email="anna@example.se")
    assert sorted(links.values_list("purpose", flat=True)) == ["invite", "unsubscribe"]
    # Only hashes are stored; the outbox keeps no body.
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.SENT and message.body_text == ""
    for link in links:
        assert link.token_hash not in text


def test_progress_counts_the_outbox_by_status(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=3)
    send(invitation_list)
    first = OutboxMessage.objects.filter(kind=MailKind.INVITATION).order_by("id").first()
    OutboxMessage.objects.filter(pk=first.pk).update(status=MessageStatus.SENT)

    value = progress(invitation_list)

    assert (value.total, value.sent, value.queued) == (3, 1, 2)
    with translation.override("sv"):
        assert progress_text(value) == "1 av 3 skickade"
    assert progress_text(value) == "1 of 3 sent"


def test_a_suppression_after_queueing_skips_the_message(event, frozen, mailoutbox):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    send(invitation_list)
    suppress(organisation=event.organisation, email="anna@example.se", reason=SuppressionReason.UNSUBSCRIBED)

    send_due()

    assert OutboxMessage.objects.get().status == MessageStatus.SKIPPED
    assert mailoutbox == []
    assert InvitationLink.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_invite_each_person_once(event_factory, frozen, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from frukost.invitations import sending

    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event_factory(), people=8)
    barrier = threading.Barrier(2)
    real_open_events = sending.open_events

    def both_checked(invitation_list, **kwargs):
        # Both requests have checked the list before either claims it.
        events = real_open_events(invitation_list, **kwargs)
        barrier.wait(timeout=30)
        return events

    monkeypatch.setattr(sending, "open_events", both_checked)

    def organiser(key):
        try:
            return sending.send_invitations(invitation_list=invitation_list, text=TEXT, send_key=key)
        except AlreadySent:
            return "already sent"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(map(str, pool.map(organiser, ["key-a", "key-b"])))

    assert outcomes == ["8", "already sent"]
    assert OutboxMessage.objects.filter(kind=MailKind.INVITATION).count() == 8
