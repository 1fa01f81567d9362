"""Mail backends for the tests: they stand in for the outside world (an SMTP server)."""

from __future__ import annotations

import threading
import time

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    """Records every message handed to it, from any thread; a short pause widens races."""

    lock = threading.Lock()
    sent: list[tuple[str, str]] = []  # (thread name, Subject)
    pause_seconds = 0.0

    @classmethod
    def reset(cls, *, pause_seconds: float = 0.0) -> None:
        with cls.lock:
            cls.sent = []
        cls.pause_seconds = pause_seconds

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            time.sleep(self.pause_seconds)
            with self.lock:
                self.sent.append((threading.current_thread().name, message.subject))
        return len(email_messages)


class BrokenForSomeBackend(BaseEmailBackend):
    """Fails with an error no SMTP library would raise for addresses at broken.example."""

    sent: list[str] = []

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            if message.to[0].endswith("@broken.example"):
                raise RuntimeError("backend bug")
            self.sent.append(message.to[0])
        return len(email_messages)
