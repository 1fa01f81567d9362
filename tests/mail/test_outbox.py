"""Queueing mail: only inside the transaction of the change the message is about."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from frukost.mail.enums import MailKind
from frukost.mail.exceptions import NotInTransaction
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_raises_not_in_transaction():
    with pytest.raises(NotInTransaction, match="inside the transaction"):
        enqueue(kind=MailKind.CONFIRMATION, to="anna@example.se", subject="hej", body_text="hej")

    assert OutboxMessage.objects.count() == 0


def test_enqueue_outside_a_transaction_is_refused_under_python_optimise():
    # `python -O` strips assert statements; the check must not be one.
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from frukost.mail.exceptions import NotInTransaction
        from frukost.mail.outbox import enqueue
        assert False, "asserts are on: this test proves nothing"
        try:
            enqueue(kind="confirmation", to="anna@example.se", subject="hej", body_text="hej")
        except NotInTransaction as exc:
            print("refused:", exc)
        """
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }

    result = subprocess.run(
        [sys.executable, "-O", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "refused: enqueue mail inside the transaction that causes it\n",
        "",
    )
