"""Two real `frukost worker` processes on one queue: every message delivered exactly once."""

from __future__ import annotations

import collections
import email
import os
import signal
import subprocess
import sys
import time
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue

ROOT = Path(__file__).resolve().parents[2]
FRUKOST = Path(sys.executable).parent / "frukost"


def _database_url() -> str:
    """The test database, for processes of their own (a file on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(db["NAME"])
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    environment = {
        "PATH": "/usr/bin:/bin",
        # The repository too, for the tests' slow mail backend.
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),  # both share its mail directory
        "FRUKOST_SECRET_KEY": "s" * 50,
        "FRUKOST_BASE_URL": "http://127.0.0.1:8000",
        "FRUKOST_EMAIL_BACKEND": "tests.mail.backends.SlowEmlBackend",
        "FRUKOST_MAIL_BULK_PER_MINUTE": "0",
        "FRUKOST_MAIL_BULK_BATCH": "25",
        "FRUKOST_WORKER_POLL_SECONDS": "1",
        "DATABASE_URL": _database_url(),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(FRUKOST), "worker"], env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log


def _wait_for(condition, *, within: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {within} s:\n" + "\n".join(p.read_text() for p in logs))
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_deliver_each_message_exactly_once(tmp_path):
    workers = [_start_worker(tmp_path, name) for name in ("one", "two")]
    logs = [log for _process, log in workers]
    try:
        _wait_for(
            lambda: all("worker started" in log.read_text() for log in logs),
            within=60,
            what="both workers started",
            logs=logs,
        )
        subjects = []
        with transaction.atomic():
            for n in range(300):
                bulk = n % 2 == 1
                subjects.append(f"message {n}")
                enqueue(
                    kind=MailKind.ANNOUNCEMENT if bulk else MailKind.CONFIRMATION,
                    to=f"p{n}@example.se",
                    subject=f"message {n}",
                    body_text="hej",
                    priority=Priority.BULK if bulk else Priority.TRANSACTIONAL,
                )

        _wait_for(
            lambda: (
                not OutboxMessage.objects.filter(
                    status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
                ).exists()
            ),
            within=120,
            what="the queue emptied",
            logs=logs,
        )
    finally:
        for process, _log in workers:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process, _log in workers]

    delivered = collections.Counter(
        email.message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"]
        for path in (tmp_path / "var" / "mail").glob("*.eml")
    )
    assert codes == [0, 0]
    assert set(delivered.values()) == {1}
    assert sorted(delivered) == sorted(subjects)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    per_worker = [log.read_text().count(" sent (") for log in logs]
    assert sum(per_worker) == 300
    assert all(count > 0 for count in per_worker), per_worker  # both took part: the race was real
    assert all("worker stopped" in log.read_text() for log in logs)
    assert [line for log in logs for line in log.read_text().splitlines() if " ERROR " in line] == []
