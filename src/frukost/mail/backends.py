"""Development e-mail backend: one .eml file per message in $FRUKOST_DATA_DIR/mail."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlDirectoryBackend(BaseEmailBackend):
    def __init__(self, *args, directory: str | Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory = Path(directory or settings.MAIL_DIR)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", (message.to or ["unknown"])[0])
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{recipient}-{secrets.token_hex(3)}.eml"
            temporary = self.directory / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes(linesep="\r\n"))
            # Rename so that a reader never sees half a file.
            temporary.rename(self.directory / name)
            sent += 1
        return sent
