"""Fixtures for the e-mail tests: a real SMTP server on loopback and helpers to read messages."""

from __future__ import annotations

import email
import re
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from frukost.mail.models import OutboxMessage
from tests.conftest import rendered


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class RecordingHandler:
    """An aiosmtpd handler that keeps what it accepts and can be told to refuse.

    `data_answer` / `rcpt_answer` replace the normal "250" with a 4xx or 5xx answer; `refused`
    keeps the raw bytes of each message refused at DATA (what the server was handed).
    """

    received: list[Received] = field(default_factory=list)
    refused: list[bytes] = field(default_factory=list)
    data_answer: str = ""
    rcpt_answer: str = ""
    data_attempts: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        if self.data_answer:
            self.refused.append(envelope.original_content)
            return self.data_answer
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=email.message_from_bytes(envelope.original_content, policy=policy.default),
                raw=envelope.original_content,
            )
        )
        return "250 Message accepted for delivery"


class SmtpServer:
    """A loopback SMTP server that can be started after the application has tried to use it."""

    def __init__(self, port: int):
        self.port = port
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    """Point the SMTP backend at a loopback port where nothing listens yet."""
    port = free_port()
    settings.EMAIL_BACKEND = "frukost.mail.backends.SmtpBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Akademikerförbundet SSR <noreply@frukost.test>"
    return settings


@pytest.fixture
def smtp_down(smtp_settings):
    """An SMTP server that is not running yet: call .start() to bring it up."""
    server = SmtpServer(smtp_settings.EMAIL_PORT)
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp_down):
    """A running SMTP server on 127.0.0.1 that records every message it accepts."""
    smtp_down.start()
    return smtp_down


def personal_link(text: str) -> str:
    """The path of the single personal link in a message body."""
    links = set(re.findall(r"http://testserver(/r/[A-Za-z0-9_-]+/)", text))
    assert len(links) == 1, links
    return links.pop()


def messages(**filters) -> list[OutboxMessage]:
    """Queued messages, composed as the worker composes them just before sending."""
    return rendered(OutboxMessage.objects.filter(**filters).order_by("created_at", "id"))


def parts(message: EmailMessage) -> dict[str, str]:
    """Content type -> decoded text of each leaf part."""
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
