"""No usable personal link is stored anywhere: not while queued, not after sending, not after a
permanent failure (issue 7). Links are minted as a message is handed to the mail server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.utils import timezone

from frukost.accounts.services import invite_member
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.renderers import render_pending
from frukost.mail.worker import requeue_stuck, send_due
from frukost.registrations.models import PersonalLink, Registration
from frukost.registrations.services import cancel_registration, register, update_event
from tests.conftest import stockholm

TOKEN = re.compile(rb"/r/([A-Za-z0-9_-]{32})/")
OUTBOX_TEXT = ("to", "reply_to", "subject", "body_text", "body_html", "ics", "last_error")


def tokens_in(raw_messages: list[bytes]) -> set[str]:
    # Quoted-printable may fold a long line with "=\n"; unfold before looking.
    return {token.decode() for raw in raw_messages for token in TOKEN.findall(raw.replace(b"=\r\n", b""))}


def outbox_text() -> str:
    return "\n".join(str(value) for row in OutboxMessage.objects.values_list(*OUTBOX_TEXT) for value in row)


def database_text() -> str:
    """Every value in every table (Django's models, through tables included), as text."""
    return "\n".join(
        str(list(model._base_manager.values_list())) for model in apps.get_models(include_auto_created=True)
    )


@pytest.fixture
def before_the_event(time_machine):
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)


def test_queued_and_composed_messages_hold_a_placeholder_not_a_link(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    update_event(event=event, changes={"starts_at": stockholm(2029, 5, 16, 8, 30)})  # composed when queued

    for message in OutboxMessage.objects.all():
        render_pending(message)

    text = outbox_text()
    assert "/r/" not in text
    assert text.count("[[frukost-personal-link:manage]]") >= 4  # anna's receipt and change mail, twice each
    assert "[[frukost-personal-link:confirm]]" in text  # Bo's invitation
    assert PersonalLink.objects.count() == 0


def test_no_token_is_stored_after_sending(smtp_server, event, person, colleague, client, before_the_event):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    update_event(event=event, changes={"starts_at": stockholm(2029, 5, 16, 8, 30)})

    while send_due():
        pass

    tokens = tokens_in([received.raw for received in smtp_server.received])
    assert len(smtp_server.received) == 4  # receipt, invitation, two change mails
    assert len(tokens) == 4  # one fresh link in each
    assert all(client.get(f"/r/{token}/").status_code == 200 for token in tokens)  # the test can fail
    stored_outbox, stored = outbox_text(), database_text()
    assert [token for token in tokens if token in stored_outbox or token in stored] == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_no_token_is_stored_after_a_permanent_failure(smtp_server, event, person, client, before_the_event):
    smtp_server.handler.data_answer = "550 5.1.1 no such user"
    register(event=event, person=person("anna@example.se"))

    send_due()

    [message] = OutboxMessage.objects.all()
    assert message.status == MessageStatus.FAILED
    [token] = tokens_in(smtp_server.handler.refused)  # what the server was handed, and refused
    assert token not in database_text()
    assert (message.body_text, message.body_html, message.ics) == ("", "", "")
    assert PersonalLink.objects.count() == 0  # the link minted for it is gone too
    assert client.get(f"/r/{token}/").status_code == 404


def test_a_message_given_up_while_stuck_keeps_no_bodies(event, person, settings):
    settings.FRUKOST_MAIL_MAX_ATTEMPTS = 1
    register(event=event, person=person("anna@example.se"))
    [message] = OutboxMessage.objects.all()

    render_pending(message)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, claimed_at=timezone.now() - dt.timedelta(hours=2)
    )

    requeue_stuck()

    message.refresh_from_db()
    assert (message.status, message.body_text, message.body_html, message.ics) == (
        MessageStatus.FAILED,
        "",
        "",
        "",
    )


def test_a_withdrawn_change_mail_keeps_no_bodies(event, person):
    register(event=event, person=person("anna@example.se"))
    update_event(event=event, changes={"starts_at": stockholm(2029, 5, 16, 8, 30)})
    anna = Registration.objects.get(email="anna@example.se")

    cancel_registration(registration=anna)

    changed = OutboxMessage.objects.get(kind=MailKind.EVENT_CHANGED)
    assert (changed.status, changed.body_text, changed.body_html, changed.ics) == (
        MessageStatus.SKIPPED,
        "",
        "",
        "",
    )


def test_an_invitation_to_join_that_fails_for_good_keeps_no_link(smtp_server, organisation, staff_factory):
    """Composed when queued (its token is the invitation's own): blanked when it fails for good."""

    smtp_server.handler.data_answer = "550 5.1.1 no such user"
    sent = invite_member(
        organisation=organisation, email="ny@example.se", role="organiser", actor=staff_factory("owner")
    )
    token = sent.link.rstrip("/").rsplit("/", 1)[-1]
    assert token in outbox_text()  # until it is handed over

    send_due()

    assert OutboxMessage.objects.get().status == MessageStatus.FAILED
    assert token not in database_text()


def test_links_of_every_attempt_go_when_the_worker_gives_up(
    smtp_server, event, person, client, settings, time_machine
):
    settings.FRUKOST_MAIL_MAX_ATTEMPTS = 2
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    smtp_server.handler.data_answer = "451 4.3.0 try again later"
    register(event=event, person=person("anna@example.se"))

    send_due()
    tokens_after_first = tokens_in(smtp_server.handler.refused)
    links_after_first = PersonalLink.objects.count()
    time_machine.move_to(dt.datetime(2029, 4, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    send_due()

    # The personal link and the check-in code's hash are kept while a retry may follow.
    assert (len(tokens_after_first), links_after_first) == (1, 2)
    assert OutboxMessage.objects.get().status == MessageStatus.FAILED
    tokens = tokens_in(smtp_server.handler.refused)
    assert len(tokens) == 2
    assert PersonalLink.objects.count() == 0
    assert [client.get(f"/r/{token}/").status_code for token in sorted(tokens)] == [404, 404]
