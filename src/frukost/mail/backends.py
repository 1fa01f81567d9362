"""frukost's e-mail backends: SMTP with cheaper envelope addresses, and one .eml file per message
in $FRUKOST_DATA_DIR/mail for development."""

from __future__ import annotations

import functools
import os
import re
import secrets
import smtplib
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend
from django.core.mail.message import sanitize_address
from django.utils import timezone

# An address that Django's sanitize_address returns as it is: a dot-atom local part and a domain
# of ASCII labels of 1 to 63 characters (punycode leaves them alone), no display name.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)


def envelope_address(address, encoding: str) -> str:
    """`sanitize_address(address, encoding)`, without parsing a plain address (a tenth of a
    millisecond each; tests/mail/test_backends.py compares them)."""
    if isinstance(address, str) and _PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, encoding)


@functools.lru_cache(maxsize=8)
def _envelope_sender(address: str, encoding: str) -> str:
    # The sender is the operator's setting (DEFAULT_FROM_EMAIL), the same for every message.
    return sanitize_address(address, encoding)


class SmtpBackend(DjangoSmtpBackend):
    """Django's SMTP backend; the envelope's addresses (MAIL FROM, RCPT TO) are the same, found
    more cheaply: the sender's once per process, a plain recipient's without parsing it. The
    message's bytes are the message's own `as_bytes(linesep="\\r\\n")`, as Django sends them."""

    def _send(self, email_message):
        # Django's EmailBackend._send (5.2) but for the two address look-ups.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        sender = email_message.from_email
        from_email = (
            _envelope_sender(sender, encoding)
            if isinstance(sender, str)
            else sanitize_address(sender, encoding)
        )
        recipients = [envelope_address(address, encoding) for address in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9@._-]")


class EmlDirectoryBackend(BaseEmailBackend):
    """One `.eml` file per message in the directory (development: `var/mail/`), written under a
    temporary name and renamed, so that a reader never sees half a file.

    The worker sends each message on its own (`send_messages` once a message), so the
    directory is made only when a write finds it missing, and the paths are plain strings:
    `Path.mkdir` and pathlib's joins were a tenth of the worker's CPU for a message outside
    composing (benchmarks/README.md, "Fifth pass: the mail worker's own work")."""

    def __init__(self, *args, directory: str | Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(directory or settings.MAIL_DIR)
        self._directory = os.fspath(self.directory)

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            recipient = _UNSAFE_IN_NAME.sub("_", (message.to or ["unknown"])[0])
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{recipient}-{secrets.token_hex(3)}.eml"
            temporary = os.path.join(self._directory, f".{name}.tmp")
            data = message.message().as_bytes(linesep="\r\n")
            try:
                file = open(temporary, "wb")  # noqa: SIM115 - closed below, after a missing directory is made
            except FileNotFoundError:
                os.makedirs(self._directory, exist_ok=True)
                file = open(temporary, "wb")  # noqa: SIM115
            with file:
                file.write(data)
            os.rename(temporary, os.path.join(self._directory, name))
            sent += 1
        return sent
