"""`frukost serve --server granian` (issue 10): what gunicorn gave and granian does not.

A worker stuck in one request is ended (gunicorn's master does that after 30 s; granian respawns
the worker that exited), and granian's logs go through the filter that redacts personal links.
tests/core/test_serve_logs.py runs granian for real.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from frukost.config import ConfigurationError
from frukost.core import granian
from frukost.core.management.commands import serve

TOKEN = "Zq3xY8pLmN0vB4cD6eF7gH1jK2lM5nO9"


@pytest.fixture
def limits():
    """The TimeLimits a test made, closed after it: no watchdog outlives its test."""
    made = []
    yield made
    for limited in made:
        limited.close()
        assert limited.watchdog is None or not limited.watchdog.is_alive()


def _limited(limits, app_seconds: float, limit: float):
    """A TimeLimit around an application that takes app_seconds, and the exits it asked for."""
    exits = []

    def app(environ, start_response):
        time.sleep(app_seconds)
        start_response("200 OK", [])
        return [b"ok"]

    limited = granian.TimeLimit(app, limit, tick=0.02)
    limited.exit = exits.append
    limited.alarm = lambda which, seconds: limited.alarms.append(seconds)  # no real SIGALRM in pytest
    limited.alarms = []
    limits.append(limited)
    return limited, exits


def _wait_for(condition, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_request_past_the_limit_ends_the_worker_and_logs_no_personal_link(caplog, limits):
    limited, exits = _limited(limits, app_seconds=0.5, limit=0.1)
    caplog.set_level(logging.ERROR, logger="frukost.serve")
    request = threading.Thread(
        target=limited, args=({"PATH_INFO": f"/r/{TOKEN}/avanmal/"}, lambda *a: None), daemon=True
    )
    request.start()

    assert _wait_for(lambda: exits == [1])
    [record] = caplog.records
    assert "/r/…/avanmal/" in record.getMessage()
    assert TOKEN not in record.getMessage()
    request.join()


def test_quick_requests_and_an_idle_worker_are_left_alone(limits):
    limited, exits = _limited(limits, app_seconds=0.01, limit=0.1)
    for _ in range(5):
        assert limited({"PATH_INFO": "/"}, lambda *a: None) == [b"ok"]
    time.sleep(0.3)  # idle for longer than the limit, after requests that were within it

    assert exits == []
    assert limited.watchdog.is_alive()
    # Each request armed the kernel's backstop past its limit and disarmed it when it was done.
    assert limited.alarms == [0.1 + granian.BACKSTOP_SECONDS, 0] * 5


STUCK_IN_ONE_C_CALL = """
import re, sys
from frukost.core import granian

def app(environ, start_response):
    re.match(r"(a+)+$", "a" * 30 + "b")  # minutes in one C call, the GIL held throughout
    start_response("200 OK", [])
    return [b"finished"]

limited = granian.TimeLimit(app, 0.2, backstop=0.3)
limited.exit = lambda code: sys.exit("the watchdog ran, so this test proves nothing")
print(limited({"PATH_INFO": "/"}, lambda *a: None))
"""


def test_a_request_stuck_in_one_c_call_is_ended_by_the_kernel_alarm():
    """The watchdog thread cannot wake while a C call holds the GIL; the alarm ends the worker
    anyway, as gunicorn's master would (found in review, fifth pass)."""
    started = time.monotonic()
    ended = subprocess.run(
        [sys.executable, "-c", STUCK_IN_ONE_C_CALL], capture_output=True, text=True, timeout=60
    )

    assert ended.returncode == -signal.SIGALRM, (ended.returncode, ended.stdout, ended.stderr)
    assert "finished" not in ended.stdout
    assert time.monotonic() - started < 30


def test_each_request_is_stripped_of_the_names_taken_out_of_the_environment(limits):
    seen = []

    def app(environ, start_response):
        seen.append(sorted(environ))
        start_response("200 OK", [])
        return [b"ok"]

    limited = granian.TimeLimit(app, 30, scrub=("FRUKOST_SECRET_KEY", "DATABASE_URL"))
    limited.alarm = lambda which, seconds: None
    limits.append(limited)
    environ = {
        "PATH_INFO": "/",
        "FRUKOST_SECRET_KEY": "k" * 50,
        "DATABASE_URL": "postgres://x:y@db/z",
        "LANG": "sv",
    }
    limited(environ, lambda *a: None)

    assert seen == [["LANG", "PATH_INFO"]]


def test_the_workers_environment_and_so_no_request_carries_the_secrets(monkeypatch):
    for name in [name for name in os.environ if name.startswith("FRUKOST_")]:
        monkeypatch.setenv(name, os.environ[name])  # given back after the test
    monkeypatch.setenv("FRUKOST_SECRET_KEY", "k" * 50)
    monkeypatch.setenv("DATABASE_URL", "postgres://frukost:hemligt@db/frukost")
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setattr("django.core.wsgi.get_wsgi_application", lambda: "the application")

    app = granian.application()

    assert isinstance(app.application, granian.CloseWithThread)  # each thread's connections closed as it ends
    assert app.application.application == "the application"
    assert [name for name in os.environ if name.startswith("FRUKOST_") or name == "DATABASE_URL"] == []
    assert {"FRUKOST_SECRET_KEY", "DATABASE_URL"} <= set(app.scrub)  # and out of every request
    assert os.environ["LANG"] == "sv_SE.UTF-8"


@pytest.fixture
def exec_argv(monkeypatch, settings, tmp_path):
    """The command line `frukost serve` would replace itself with (exec is not run)."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)  # collectstatic
    started = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: started.append(argv))
    return started


def test_serve_granian_runs_its_workers_with_the_redacting_log(exec_argv, tmp_path):
    call_command("serve", "--server", "granian", "--workers", "3", "--port", "8123")

    [argv] = exec_argv
    assert argv[0].endswith("/granian")
    assert argv[-1] == "frukost.core.granian:application"
    for option in (
        "--interface=wsgi",
        "--factory",
        "--workers=3",
        "--port=8123",
        "--access-log",
        "--respawn-failed-workers",
        f"--log-config={tmp_path / 'granian-logging.json'}",
    ):
        assert option in argv
    written = json.loads((tmp_path / "granian-logging.json").read_text())
    assert written == granian.LOGGING
    assert {name: handler["filters"] for name, handler in written["handlers"].items()} == {
        "console": ["redact"],
        "access": ["redact"],
    }


def test_gunicorn_stays_the_default(exec_argv, monkeypatch):
    monkeypatch.delenv("FRUKOST_WEB_SERVER", raising=False)
    call_command("serve")

    [argv] = exec_argv
    assert argv[0].endswith("/gunicorn")


def test_an_unknown_server_in_the_environment_is_a_configuration_error(exec_argv, monkeypatch):
    monkeypatch.setenv("FRUKOST_WEB_SERVER", "uwsgi")
    with pytest.raises(ConfigurationError, match="FRUKOST_WEB_SERVER"):
        call_command("serve")
    assert exec_argv == []


def test_serve_granian_serves_two_requests_at_once_per_worker_by_default(exec_argv, monkeypatch):
    monkeypatch.delenv("FRUKOST_WEB_THREADS", raising=False)
    call_command("serve", "--server", "granian")

    [argv] = exec_argv
    assert "--blocking-threads=2" in argv
    # A retired idle thread takes its database connection along: threads are kept as long as granian allows.
    assert "--blocking-threads-idle-timeout=600" in argv


def test_the_threads_per_worker_come_from_the_option_or_the_environment(exec_argv, monkeypatch):
    monkeypatch.setenv("FRUKOST_WEB_THREADS", "3")
    call_command("serve", "--server", "granian")
    call_command("serve", "--server", "granian", "--threads", "1")

    first, second = exec_argv
    assert "--blocking-threads=3" in first
    assert "--blocking-threads=1" in second


def test_the_threads_variable_is_granians_alone(exec_argv, monkeypatch):
    """An environment file written for granian does not stop a unit switched back to gunicorn."""
    monkeypatch.setenv("FRUKOST_WEB_THREADS", "2")
    call_command("serve", "--server", "gunicorn")

    [argv] = exec_argv
    assert argv[0].endswith("/gunicorn")
    monkeypatch.setenv("FRUKOST_WEB_THREADS", "0")
    with pytest.raises(ConfigurationError, match="FRUKOST_WEB_THREADS must be 1 or more"):
        call_command("serve", "--server", "granian")


def test_threads_with_gunicorn_or_below_one_are_refused_with_a_clear_message(exec_argv, monkeypatch):
    monkeypatch.delenv("FRUKOST_WEB_THREADS", raising=False)
    with pytest.raises(CommandError, match="--threads is for --server granian"):
        call_command("serve", "--threads", "2")
    with pytest.raises(CommandError, match="1 or more"):
        call_command("serve", "--server", "granian", "--threads", "0")
    assert exec_argv == []


def test_a_request_past_the_limit_ends_the_worker_while_another_thread_finishes_quickly(caplog, limits):
    """Two requests at once in one worker: the quick one ending must not forget the stuck one."""
    exits = []
    release = threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow/":
            release.wait(5)
        start_response("200 OK", [])
        return [b"ok"]

    limited = granian.TimeLimit(app, 0.2, tick=0.02)
    limited.exit = exits.append
    limited.alarms = []
    limited.alarm = lambda which, seconds: limited.alarms.append(round(seconds, 1))
    limits.append(limited)
    caplog.set_level(logging.ERROR, logger="frukost.serve")

    slow = threading.Thread(target=limited, args=({"PATH_INFO": "/slow/"}, lambda *a: None), daemon=True)
    slow.start()
    assert _wait_for(lambda: limited.running)
    assert limited({"PATH_INFO": "/quick/"}, lambda *a: None) == [b"ok"]

    # The quick request's end re-armed the kernel's alarm for the slow one instead of switching it off.
    assert limited.alarms[0] == 0.2 + granian.BACKSTOP_SECONDS
    assert len(limited.alarms) == 2 and 0 < limited.alarms[1] <= 0.2 + granian.BACKSTOP_SECONDS
    assert _wait_for(lambda: exits == [1])
    [record] = caplog.records
    assert "/slow/" in record.getMessage()
    release.set()
    slow.join()
    assert limited.alarms[-1] == 0  # off once nothing runs


def test_requests_at_once_within_the_limit_are_left_alone(limits):
    exits = []
    both_in = threading.Barrier(2, timeout=5)

    def app(environ, start_response):
        both_in.wait()  # the two requests overlap for certain
        start_response("200 OK", [])
        return [b"ok"]

    limited = granian.TimeLimit(app, 1.0, tick=0.02)  # far beyond the requests, even on a busy machine
    limited.exit = exits.append
    limited.alarm = lambda which, seconds: None
    limits.append(limited)
    threads = [threading.Thread(target=limited, args=({"PATH_INFO": "/"}, lambda *a: None)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.3)

    assert exits == []
    assert limited.running == {}


def _is_closed(raw) -> bool:
    if hasattr(raw, "closed"):  # psycopg
        return bool(raw.closed)
    try:  # sqlite3
        raw.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - sqlite3.ProgrammingError: "Cannot operate on a closed database"
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_a_retired_threads_database_connection_is_closed_when_the_thread_ends():
    """granian retires idle blocking threads; Django's connection wrapper lives in reference cycles,
    so without CloseWithThread its connection stayed open until a full garbage collection."""
    from django.db import connections

    opened = []

    def app(environ, start_response):
        connections["default"].ensure_connection()
        opened.append(connections["default"].connection)
        start_response("200 OK", [])
        return [b"ok"]

    application = granian.CloseWithThread(app)
    gc.disable()  # what closes the connection must not be the collector
    try:
        served = threading.Thread(
            target=lambda: [application({"PATH_INFO": "/"}, lambda *a: None) for _ in range(2)]
        )
        served.start()
        served.join()
        [raw, again] = opened
        assert raw is again  # the thread kept its connection between its requests
        assert _is_closed(raw)
    finally:
        gc.enable()


ARENAS_AFTER_SIX_THREADS = """
import ctypes, json, sys, threading
from frukost.core import granian
applied = {apply}
if applied:
    applied = granian.fewer_malloc_arenas_and_trim()
started, done = threading.Barrier(6), threading.Event()

def allocate():
    held = [b"x" * 2000 for _ in range(50)]  # above pymalloc's 512 bytes: glibc's malloc
    started.wait()
    done.wait()

threads = [threading.Thread(target=allocate) for _ in range(6)]
for thread in threads:
    thread.start()
ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena n:" block per arena, on standard error
done.set()
for thread in threads:
    thread.join()
print(json.dumps(applied))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
@pytest.mark.parametrize(("apply", "arenas"), [(False, 7), (True, 2)])
def test_a_worker_holds_its_threads_to_two_malloc_arenas(apply, arenas):
    # Six threads that allocate beside the main thread: glibc gives each its own arena (each with
    # free pages of its own) unless the worker set the limit, as granian.application() does.
    script = ARENAS_AFTER_SIX_THREADS.replace("{apply}", repr(apply))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) is apply
    assert result.stderr.count("Arena ") == arenas


def test_the_factory_limits_the_arenas_after_the_boot(monkeypatch):
    monkeypatch.setattr("django.core.wsgi.get_wsgi_application", lambda: "the application")
    calls = []
    monkeypatch.setattr(granian, "fewer_malloc_arenas_and_trim", lambda: calls.append("limited") or True)
    for name in [name for name in os.environ if name.startswith("FRUKOST_") or name == "DATABASE_URL"]:
        monkeypatch.setenv(name, os.environ[name])  # given back after the test

    granian.application()

    assert calls == ["limited"]
