"""SMTP with TLS on any port (a real aiosmtpd server on loopback): STARTTLS is used when offered, a
server without it gets nothing (no password, no mail) instead of plain text; the worker logs a line
per message sent, without the address or the link."""

from __future__ import annotations

import logging
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller

from frukost.config import smtp_tls
from frukost.mail.enums import MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.services import register
from tests.mail.conftest import RecordingHandler

pytestmark = pytest.mark.django_db


class TlsRecordingHandler(RecordingHandler):
    async def handle_DATA(self, server, session, envelope):
        self.tls_used = session.ssl is not None
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _server(port: int, *, tls_context=None) -> tuple[Controller, TlsRecordingHandler]:
    handler = TlsRecordingHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls_context,
        require_starttls=tls_context is not None,
    )
    controller.start()
    return controller, handler


def _on_a_plain_port(smtp_settings):
    # FRUKOST_SMTP_TLS unset on port 2525 (any port but 465): STARTTLS.
    smtp_settings.EMAIL_USE_TLS, smtp_settings.EMAIL_USE_SSL = smtp_tls(None, port=2525)
    smtp_settings.EMAIL_HOST_USER = "frukost"
    smtp_settings.EMAIL_HOST_PASSWORD = "hemligt"


def test_mail_goes_over_starttls_on_any_port(smtp_settings, certificate, monkeypatch, event, person, caplog):
    _on_a_plain_port(smtp_settings)
    smtp_settings.EMAIL_HOST_USER = ""  # aiosmtpd offers no AUTH by default
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the client trusts the test certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    controller, handler = _server(smtp_settings.EMAIL_PORT, tls_context=context)
    register(event=event, person=person("anna@example.se"))
    caplog.set_level(logging.INFO, logger="frukost.mail.worker")
    try:
        sent = send_due()
    finally:
        controller.stop()

    assert sent == 1
    assert handler.tls_used is True
    [message] = OutboxMessage.objects.all()
    assert [r.getMessage() for r in caplog.records if r.name == "frukost.mail.worker"] == [
        f"mail {message.pk} sent (confirmation, attempt 1)"
    ]


def test_a_server_without_starttls_gets_nothing_in_clear(smtp_settings, event, person):
    _on_a_plain_port(smtp_settings)
    controller, handler = _server(smtp_settings.EMAIL_PORT)
    register(event=event, person=person("anna@example.se"))
    try:
        sent = send_due()
    finally:
        controller.stop()

    assert sent == 0
    assert handler.received == []
    [message] = OutboxMessage.objects.all()
    assert message.status == MessageStatus.QUEUED  # retried later, and loudly logged
    assert "STARTTLS" in message.last_error


def test_the_worker_log_never_names_the_address(smtp_server, event, person, caplog):
    register(event=event, person=person("anna@example.se"))
    caplog.set_level(logging.DEBUG)

    send_due()

    assert smtp_server.received
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("frukost")]
    assert ours
    assert [line for line in ours if "anna@example.se" in line or "/r/" in line] == []
