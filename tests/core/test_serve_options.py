"""`frukost serve` starts gunicorn with the worker recycling the operator asked for (issue 10)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from frukost.core.management.commands import serve


@pytest.fixture
def gunicorn_argv(monkeypatch):
    """The command line `frukost serve` would replace itself with (exec is not run)."""
    started = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: started.append(argv))
    return started


def _option(argv, name):
    [value] = [arg.split("=", 1)[1] for arg in argv if arg.startswith(f"--{name}=")]
    return value


def test_workers_are_recycled_after_about_ten_thousand_requests_by_default(gunicorn_argv, monkeypatch):
    monkeypatch.delenv("FRUKOST_WEB_MAX_REQUESTS", raising=False)
    call_command("serve", "--workers", "3")

    [argv] = gunicorn_argv
    assert (
        _option(argv, "workers"),
        _option(argv, "max-requests"),
        _option(argv, "max-requests-jitter"),
    ) == (
        "3",
        "10000",
        "1000",
    )
    assert _option(argv, "logger-class") == "frukost.core.gunicorn.RedactingLogger"


def test_recycling_can_be_switched_off(gunicorn_argv):
    call_command("serve", "--max-requests", "0")

    [argv] = gunicorn_argv
    assert (_option(argv, "max-requests"), _option(argv, "max-requests-jitter")) == ("0", "0")
