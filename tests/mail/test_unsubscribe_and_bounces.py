"""The outbox's parts for invitations: the List-Unsubscribe headers (RFC 8058) with the same URL
as the body's unsubscribe link, per-kind link hooks, and the bounce hook on a hard 5xx refusal."""

from __future__ import annotations

import pytest
from django.db import transaction

from frukost.mail import renderers, worker
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.mail.worker import send_due
from tests.mail.conftest import parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation_hooks(monkeypatch):
    """Link hooks for the invitation kinds (as frukost.invitations registers them), recording calls."""
    minted, discarded = [], []

    def issue(message, purpose):
        minted.append((message.pk, purpose))
        return f"https://frukost.test/i/{purpose}-{len(minted)}/"

    monkeypatch.setattr(renderers, "_kind_link_hooks", dict(renderers._kind_link_hooks))
    renderers.register_link_hooks(issue=issue, discard=discarded.append, kinds=[MailKind.INVITATION])
    return minted, discarded


def _invitation(
    *, body="Hej!\n\nAvregistrera dig: [[frukost-personal-link:unsubscribe]]\n", unsubscribe=True
):
    with transaction.atomic():
        return enqueue(
            kind=MailKind.INVITATION,
            to="anna@example.se",
            subject="Välkommen på frukost",
            body_text=body,
            list_unsubscribe=unsubscribe,
            ref_id=7,
        )


def test_an_invitation_carries_one_click_unsubscribe_headers_with_the_bodys_url(
    smtp_server, invitation_hooks
):
    minted, _ = invitation_hooks
    _invitation()

    assert send_due() == 1

    [received] = smtp_server.received
    mail = received.message
    assert mail["List-Unsubscribe"] == "<https://frukost.test/i/unsubscribe-1/>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://frukost.test/i/unsubscribe-1/" in parts(mail)["text/plain"]
    assert len(minted) == 1  # one token for body and header, minted by the kind's own hook


def test_mail_about_a_registration_has_no_unsubscribe_headers(smtp_server, event, person):
    from frukost.registrations.services import register

    register(event=event, person=person("anna@example.se"))
    send_due()

    [received] = smtp_server.received
    assert received.message["List-Unsubscribe"] is None
    assert received.message["Precedence"] is None


def test_an_unsubscribable_message_without_a_link_hook_fails_rather_than_going_without_a_way_out(smtp_server):
    message = _invitation(body="Hej!")  # no hook registered for the kind: nowhere to mint the link

    send_due()

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert smtp_server.received == []


@pytest.fixture
def bounces(monkeypatch):
    seen = []
    monkeypatch.setattr(worker, "_bounce_hooks", [])
    worker.register_bounce_hook(lambda message, error: seen.append((message.pk, error)))
    return seen


def test_a_5xx_to_the_recipient_calls_the_bounce_hooks_without_the_address(
    smtp_server, bounces, invitation_hooks
):
    smtp_server.handler.rcpt_answer = "550 5.1.1 <anna@example.se>: mailbox unknown"
    message = _invitation()

    send_due()

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    [(message_id, error)] = bounces
    assert message_id == message.pk
    assert "550" in error and "anna@example.se" not in error


def test_a_temporary_refusal_is_no_bounce(smtp_server, bounces, invitation_hooks):
    smtp_server.handler.rcpt_answer = "451 4.3.0 try again later"
    message = _invitation()

    send_due()

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert bounces == []


def test_content_refused_after_data_is_no_bounce_but_a_bad_mailbox_is(smtp_server, bounces, invitation_hooks):
    smtp_server.handler.data_answer = "554 5.7.1 message refused as spam"
    _invitation()
    send_due()
    assert bounces == []

    smtp_server.handler.data_answer = "550 5.1.1 no such user here"
    _invitation()
    send_due()
    assert len(bounces) == 1
    assert OutboxMessage.objects.filter(status=MessageStatus.FAILED).count() == 2
