"""Django's per-thread state in threading.local objects (core/thread_locals.py): still one per
thread, read without asgiref's Python code, and never in async code, where it would be wrong."""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from pathlib import Path

import pytest
from asgiref.local import Local
from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.urls import URLPattern, URLResolver, get_resolver, get_script_prefix, set_script_prefix
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from frukost.core import thread_locals
from tests.core.calls import python_calls
from tests.core.processes import production_environment, run_python


@pytest.fixture(autouse=True)
def _installed():
    # Django's own test signals put a new asgiref Local back when a test overrides LANGUAGES or
    # CACHES; these tests are about the installed state, so make sure it is the one they see.
    thread_locals.install()


def _in_a_thread(function):
    result = {}

    def run():
        try:
            result["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


def _asgiref_calls(read) -> list[str]:
    return [call for call in python_calls(read) if "asgiref" in call]


def test_the_running_process_keeps_django_s_thread_state_in_threading_locals(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.core.cache import caches; from django.db import connections\n"
        "from django.urls import base; from django.utils import timezone\n"
        "from django.utils.translation import trans_real; import threading\n"
        "print(*(isinstance(x, threading.local) for x in (connections._connections, caches._connections,"
        " trans_real._active, timezone._active, base._prefixes, base._urlconfs)))"
    )
    assert run_python(script, production_environment(tmp_path), timeout=60).split() == ["True"] * 6


@pytest.mark.django_db
def test_reading_a_connection_or_the_language_runs_no_asgiref_code():
    connection.ensure_connection()
    translation.activate("sv")

    calls = _asgiref_calls(
        lambda: (connections["default"], connection.vendor, translation.get_language(), get_script_prefix())
    )

    assert calls == []


def test_asgiref_s_local_runs_python_for_every_read():
    # What the change removes (the guard above fails without install()).
    local = Local(thread_critical=True)
    local.value = 1
    assert _asgiref_calls(lambda: local.value)


@pytest.mark.django_db(transaction=True)
def test_each_thread_has_its_own_connection():
    mine = connections["default"]
    mine.ensure_connection()

    theirs = _in_a_thread(lambda: connections["default"])

    assert theirs is not mine
    assert connections["default"] is mine


def test_the_language_time_zone_and_prefix_stay_in_their_thread():
    translation.activate("en")
    timezone.activate("UTC")
    set_script_prefix("/mine/")
    try:
        seen = _in_a_thread(
            lambda: (translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix())
        )
        assert seen == (settings.LANGUAGE_CODE, settings.TIME_ZONE, "/")
        assert translation.get_language() == "en"

        def activate_there():
            translation.activate("sv")
            timezone.activate("America/New_York")
            set_script_prefix("/theirs/")
            return translation.get_language()

        assert _in_a_thread(activate_there) == "sv"
        assert (translation.get_language(), timezone.get_current_timezone_name()) == ("en", "UTC")
        assert get_script_prefix() == "/mine/"
    finally:
        translation.activate(settings.LANGUAGE_CODE)
        timezone.deactivate()
        set_script_prefix("/")


def test_override_restores_the_language_in_its_thread():
    translation.activate("sv")
    with translation.override("en"):
        assert translation.get_language() == "en"
        assert _in_a_thread(translation.get_language) == settings.LANGUAGE_CODE
    assert translation.get_language() == "sv"


def test_each_thread_has_its_own_cache_client():
    mine = caches["fragments"]
    assert _in_a_thread(lambda: caches["fragments"]) is not mine
    assert caches["fragments"] is mine


def test_what_the_current_thread_held_is_carried_over():
    local = Local()
    local.value = "kept"
    critical = Local(thread_critical=True)
    critical.default = "connection"

    assert thread_locals.plain(local, ("value", "other")).value == "kept"
    replacement = thread_locals.plain(critical, ("default",))
    assert replacement.default == "connection"
    assert not hasattr(thread_locals.plain(local, ("other",)), "other")
    assert _in_a_thread(lambda: getattr(replacement, "default", None)) is None


def test_installing_again_replaces_nothing_and_keeps_the_connection():
    before = connections["default"]
    assert thread_locals.install() == 0
    assert connections["default"] is before


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def test_django_s_asgi_handler_refuses_to_start():
    from django.core.asgi import get_asgi_application
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="WSGI application only"):
        get_asgi_application()


def _signals():
    # Every Signal a loaded module holds (gc.get_objects() misses what gc.freeze() has frozen).
    from django.dispatch import Signal

    found = {}
    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if isinstance(value, Signal):
                found[id(value)] = value
    return list(found.values())


def test_frukost_serves_no_async_code():
    # threading.local is right only because every request runs in a plain thread: no ASGI entry
    # point, no coroutine view, no async-only middleware. If one of these fails, thread_locals
    # must go (its docstring).
    assert not hasattr(settings, "ASGI_APPLICATION")
    assert importlib.util.find_spec("frukost.asgi") is None
    views = list(_views(get_resolver().url_patterns))
    assert len(views) > 50
    assert [view for view in views if iscoroutinefunction(view)] == []
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        assert getattr(middleware, "sync_capable", True), path
    resolver = get_resolver()
    handlers = [resolver.resolve_error_handler(status) for status in (400, 403, 404, 500)]
    handlers.append(import_string(settings.CSRF_FAILURE_VIEW))
    assert [handler for handler in handlers if iscoroutinefunction(handler)] == []
    # Django runs an async receiver through async_to_sync, in another thread.
    signals = _signals()
    assert len(signals) > 10
    # Each receiver is (lookup key, receiver or its weak reference, is_async) in Django 5.
    async_receivers = [entry for signal in signals for entry in signal.receivers if entry[2]]
    assert async_receivers == []
    source = Path(thread_locals.__file__).resolve().parents[1]
    found = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if path.name != "thread_locals.py"  # its docstring names them
        and re.search(r"\basync def\b|async_to_sync|sync_to_async", path.read_text(encoding="utf-8"))
    ]
    assert found == []
