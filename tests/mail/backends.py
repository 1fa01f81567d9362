"""Mail backends for the tests: they stand in for the outside world (an SMTP server)."""

from __future__ import annotations

import contextlib
import threading
import time

from django.core.mail.backends.base import BaseEmailBackend

from frukost.mail.backends import EmlDirectoryBackend


class RecordingBackend(BaseEmailBackend):
    """Records every message handed to it, from any thread; a short pause widens races."""

    lock = threading.Lock()
    sent: list[tuple[str, str]] = []  # (thread name, Subject)
    pause_seconds = 0.0
    # With `meet=N`, each of N threads' first message waits (up to 10 s) until all N have one in
    # hand: every thread takes part in the race, however the machine schedules them.
    meeting: threading.Barrier | None = None

    @classmethod
    def reset(cls, *, pause_seconds: float = 0.0, meet: int = 0) -> None:
        with cls.lock:
            cls.sent = []
        cls.pause_seconds = pause_seconds
        cls.meeting = threading.Barrier(meet) if meet else None

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            self._meet()
            time.sleep(self.pause_seconds)
            with self.lock:
                self.sent.append((threading.current_thread().name, message.subject))
        return len(email_messages)

    def _meet(self) -> None:
        meeting = type(self).meeting
        if meeting is None:
            return
        with self.lock:
            first = not any(thread == threading.current_thread().name for thread, _ in self.sent)
        if first:
            # If the others never get a message the wait gives up, and the test's assertion says so.
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait(timeout=10)


class BrokenForSomeBackend(BaseEmailBackend):
    """Fails with an error no SMTP library would raise for addresses at broken.example."""

    sent: list[str] = []

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            if message.to[0].endswith("@broken.example"):
                raise RuntimeError("backend bug")
            self.sent.append(message.to[0])
        return len(email_messages)


class SlowEmlBackend(EmlDirectoryBackend):
    """The development backend with a mail server's pace (20 ms a message), for tests of several
    real worker processes: one worker cannot drain the queue before the other's next poll, so
    both take part in the race."""

    def send_messages(self, email_messages) -> int:
        time.sleep(0.02 * len(email_messages))
        return super().send_messages(email_messages)
