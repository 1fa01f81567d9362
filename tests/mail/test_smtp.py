"""Delivery through a real SMTP server on loopback (aiosmtpd): success, server down, 4xx, 5xx,
messages that can never be sent."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.mail.worker import send_due
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.mail.conftest import messages, parts, personal_link


def _clock_past(time_machine, moment: dt.datetime) -> None:
    time_machine.move_to(moment + dt.timedelta(seconds=1), tick=False)


def test_send_due_delivers_confirmation_through_smtp(smtp_server, event, person, client):
    register(event=event, person=person("anna@example.se", language="en"))

    sent = send_due()

    assert sent == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["anna@example.se"]
    assert received.mail_from == "noreply@frukost.test"
    mail = received.message
    assert mail["Subject"] == "You are registered: Chefsfrukost: Leda med tillit"
    assert mail["To"] == "anna@example.se"
    assert mail["Reply-To"] == "julia.walbrink@akademssr.se"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = parts(mail)
    assert sorted(body) == ["image/png", "text/calendar", "text/html", "text/plain"]  # png: check-in QR
    assert "Wednesday 16 May 2029, 08:00–09:30" in body["text/plain"]
    link = personal_link(body["text/plain"])  # minted as the message was handed over
    assert f'href="http://testserver{link}"' in body["text/html"]
    assert client.get(link).status_code == 200
    [attachment] = [part for part in mail.iter_attachments()]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename().endswith(".ics")
    assert attachment.get_param("method") == "PUBLISH"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Chefsfrukost: Leda med tillit"
    assert messages(to="anna@example.se")[0].status == MessageStatus.SENT


def test_send_due_attachment_has_each_content_type_parameter_once(smtp_server, event, person):
    register(event=event, person=person("anna@example.se"))

    send_due()

    [received] = smtp_server.received
    [attachment] = list(received.message.iter_attachments())
    header = attachment["Content-Type"]
    assert header.content_type == "text/calendar"
    assert dict(header.params) == {"charset": "utf-8", "method": "PUBLISH"}
    # The parser above forgives a repeated parameter; the bytes on the wire must not repeat it.
    raw_header = re.search(rb"Content-Type: text/calendar;(.*?)\r\n(?! )", received.raw, re.S).group(1)
    assert raw_header.lower().count(b"charset") == 1


def test_registration_while_smtp_is_down_is_confirmed_and_mailed_once_server_is_back(
    smtp_down, event, person, time_machine
):
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)

    result = register(event=event, person=person("anna@example.se"))
    call_command("worker", once=True)

    registration = Registration.objects.get(email="anna@example.se")
    assert result.status == Status.REGISTERED
    assert registration.status == Status.REGISTERED
    [message] = messages(to="anna@example.se")
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.next_attempt_at > timezone.now()

    smtp_down.start()
    call_command("worker", once=True)  # not due yet: nothing is sent early
    assert smtp_down.received == []
    _clock_past(time_machine, message.next_attempt_at)
    call_command("worker", once=True)
    call_command("worker", once=True)

    assert [r.message["To"] for r in smtp_down.received] == ["anna@example.se"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")


def test_send_due_retries_temporary_failure_with_growing_backoff(smtp_server, event, person, time_machine):
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    smtp_server.handler.data_answer = "451 4.3.0 try later"
    register(event=event, person=person("anna@example.se"))
    [message] = messages(to="anna@example.se")

    waits = []
    for expected_attempts in (1, 2, 3):
        send_due()
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.QUEUED, expected_attempts)
        assert message.last_error.startswith("SMTPDataError: 451 4.3.0")
        waits.append(message.next_attempt_at - timezone.now())
        _clock_past(time_machine, message.next_attempt_at)

    assert smtp_server.handler.data_attempts == 3
    assert dt.timedelta(seconds=24) <= waits[0] <= dt.timedelta(seconds=36)
    assert waits[0] < waits[1] < waits[2]

    smtp_server.handler.data_answer = ""
    send_due()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 4)
    assert len(smtp_server.received) == 1


def test_send_due_marks_permanent_failure_failed_without_retrying(smtp_server, event, person, time_machine):
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    smtp_server.handler.data_answer = "550 5.1.1 no such user"
    register(event=event, person=person("anna@example.se"))

    send_due()
    time_machine.move_to(dt.datetime(2029, 4, 3, 9, 0, tzinfo=dt.UTC), tick=False)
    send_due()

    [message] = messages(to="anna@example.se")
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.last_error.startswith("550")
    assert smtp_server.handler.data_attempts == 1
    assert smtp_server.received == []


def test_send_due_marks_refused_recipient_failed(smtp_server, event, person):
    smtp_server.handler.rcpt_answer = "550 5.1.1 no such user"
    register(event=event, person=person("anna@example.se"))

    send_due()

    [message] = messages(to="anna@example.se")
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert "no such user" in message.last_error


def test_send_due_retries_recipient_refused_temporarily(smtp_server, event, person):
    smtp_server.handler.rcpt_answer = "450 4.2.0 mailbox busy"
    register(event=event, person=person("anna@example.se"))

    send_due()

    [message] = messages(to="anna@example.se")
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.last_error.startswith("SMTPRecipientsRefused")


def test_send_due_gives_up_after_max_attempts(smtp_server, event, person, settings, time_machine):
    settings.FRUKOST_MAIL_MAX_ATTEMPTS = 3
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    smtp_server.handler.data_answer = "451 4.3.0 try later"
    register(event=event, person=person("anna@example.se"))
    [message] = messages(to="anna@example.se")

    for _round in range(5):
        send_due()
        message.refresh_from_db()
        _clock_past(time_machine, message.next_attempt_at)

    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.last_error.startswith("gave up after 3 attempts: SMTPDataError: 451")
    assert smtp_server.handler.data_attempts == 3
    assert message.kind == MailKind.CONFIRMATION


def _queue_composed(**fields) -> OutboxMessage:
    with transaction.atomic():
        return enqueue(kind=MailKind.CONFIRMATION, body_text="hej", **fields)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"to": "anna@example.se", "subject": "Hej\nBcc: alla@example.se"},
            "the Subject header contains a newline",
        ),
        ({"to": "anna@", "subject": "Hej"}, "invalid To address"),
        ({"to": "anna@example.se\nBcc: alla@example.se", "subject": "Hej"}, "invalid To address"),
        ({"to": "anna@example.se", "subject": "Hej", "reply_to": "julia@"}, "invalid Reply-To address"),
    ],
    ids=["newline-in-subject", "invalid-to", "newline-in-to", "invalid-reply-to"],
)
def test_send_due_fails_message_that_cannot_be_built_after_one_attempt(
    smtp_server, db, time_machine, fields, error
):
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    message = _queue_composed(**fields)

    send_due()
    time_machine.move_to(dt.datetime(2029, 4, 3, 9, 0, tzinfo=dt.UTC), tick=False)
    send_due()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.FAILED, 1, error)
    assert smtp_server.received == []
    assert smtp_server.handler.data_attempts == 0


def test_send_due_with_a_bad_message_still_sends_the_rest(smtp_server, db):
    bad = _queue_composed(to="anna@example.se", subject="Hej\nDå")
    good = _queue_composed(to="bo@example.se", subject="Hej")

    sent = send_due()

    bad.refresh_from_db()
    good.refresh_from_db()
    assert (sent, bad.status, good.status) == (1, MessageStatus.FAILED, MessageStatus.SENT)
    assert [r.rcpt_tos for r in smtp_server.received] == [["bo@example.se"]]


def test_a_refused_recipients_address_stays_out_of_the_outbox_and_the_log(smtp_server, event, person, caplog):
    smtp_server.handler.rcpt_answer = "550 5.1.1 <anna@example.se>: Recipient address rejected: User unknown"
    register(event=event, person=person("anna@example.se"))

    with caplog.at_level("INFO", logger="frukost.mail"):
        send_due()

    [message] = messages(to="anna@example.se")
    assert message.status == MessageStatus.FAILED
    assert (
        message.last_error
        == "recipient refused: 550 5.1.1 <address>: Recipient address rejected: User unknown"
    )
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("frukost"))
    assert "anna@example.se" not in ours
    assert "550 5.1.1" in ours


def test_an_erasure_receipt_refused_for_now_keeps_no_address_anywhere(smtp_server, event, person, caplog):
    from frukost.privacy.selfservice import erase_registration

    smtp_server.handler.rcpt_answer = "450 4.2.0 <anna@example.se>: mailbox busy"
    anna = register(event=event, person=person("anna@example.se")).registration
    erase_registration(registration=anna)
    OutboxMessage.objects.exclude(kind=MailKind.ERASURE_RECEIPT).delete()

    with caplog.at_level("INFO", logger="frukost.mail"):
        send_due()

    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)
    assert receipt.status == MessageStatus.QUEUED
    assert receipt.last_error == "SMTPRecipientsRefused: 450 4.2.0 <address>: mailbox busy"
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("frukost"))
    assert "anna@example.se" not in ours and "mailbox busy" in ours


def test_smtp_error_text_strips_every_address():
    import smtplib

    from frukost.mail.worker import smtp_error_text

    refused = smtplib.SMTPRecipientsRefused(
        {"anna@exämple.se": (550, b"5.1.1 <anna@ex\xc3\xa4mple.se> unknown; try bo.ek+x@example.se")}
    )
    sender = smtplib.SMTPSenderRefused(553, b"5.7.1 rejected", "noreply@frukost.se")

    assert smtp_error_text(refused) == "550 5.1.1 <address> unknown; try <address>"
    assert smtp_error_text(sender) == "553 5.7.1 rejected"
    assert "anna" not in smtp_error_text(smtplib.SMTPException("refused anna@example.se"))
