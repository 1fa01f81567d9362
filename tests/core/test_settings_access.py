"""`settings.X` as a plain attribute read (core/settings_access.py): the same answers as Django's
LazySettings, overrides and changes included, without a Python call per read."""

from __future__ import annotations

import pytest
from django.conf import LazySettings, settings
from django.test import override_settings

from frukost.core import settings_access
from tests.core.calls import python_calls
from tests.core.processes import production_environment, run_python


def test_a_setting_read_before_is_read_without_calling_python():
    settings.USE_TZ  # noqa: B018 - the first read keeps the value

    calls = python_calls(lambda: settings.USE_TZ)

    assert [call for call in calls if "django/" in call] == []


def test_django_s_lazy_settings_runs_python_for_every_read():
    # What the change removes, shown on a LazySettings of its own (the guard above fails without it).
    lazy = LazySettings()
    lazy.configure(USE_TZ=True)
    lazy.USE_TZ  # noqa: B018

    calls = python_calls(lambda: lazy.USE_TZ)

    assert any(call.endswith(":__getattribute__") for call in calls)


def test_the_running_process_has_fast_settings_from_its_start(tmp_path):
    # A server's process, set up as `frukost serve` and the worker set up Django.
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(type(settings).__name__, settings.USE_TZ, isinstance(settings, type(settings._wrapped)))"
    )
    assert run_python(script, production_environment(tmp_path), timeout=60).split() == [
        "FastSettings",
        "True",
        "True",
    ]


def test_overrides_are_seen_and_undone():
    assert settings.LANGUAGE_CODE == "sv"

    with override_settings(LANGUAGE_CODE="en", FRUKOST_NEVER_HEARD_OF=3):
        assert settings.LANGUAGE_CODE == "en"
        assert settings.FRUKOST_NEVER_HEARD_OF == 3

    assert settings.LANGUAGE_CODE == "sv"
    assert not hasattr(settings, "FRUKOST_NEVER_HEARD_OF")


def test_a_setting_set_or_deleted_at_run_time_is_read_anew(monkeypatch):
    settings.FEW_SEATS_FOR_TEST = 1
    try:
        assert settings.FEW_SEATS_FOR_TEST == 1
        settings.FEW_SEATS_FOR_TEST = 2
        assert settings.FEW_SEATS_FOR_TEST == 2
    finally:
        del settings.FEW_SEATS_FOR_TEST
    assert not hasattr(settings, "FEW_SEATS_FOR_TEST")
    # monkeypatch (setattr and its undo) goes through the same __setattr__/__delattr__.
    before = settings.TIME_ZONE
    monkeypatch.setattr(settings, "TIME_ZONE", "UTC")
    assert settings.TIME_ZONE == "UTC"
    monkeypatch.undo()
    assert before == settings.TIME_ZONE


def test_a_missing_setting_is_an_attribute_error_as_before():
    with pytest.raises(AttributeError, match="NO_SUCH_SETTING"):
        settings.NO_SUCH_SETTING  # noqa: B018
    assert getattr(settings, "NO_SUCH_SETTING", "default") == "default"


def test_it_still_passes_for_django_s_settings_object():
    assert isinstance(settings, type(settings._wrapped))  # LazyObject's __class__: the wrapped class
    assert isinstance(settings, LazySettings)
    assert "USE_TZ" in dir(settings)
    assert repr(settings).startswith("<LazySettings")
    assert settings.configured


def test_install_moves_only_an_exact_lazy_settings_and_only_once():
    class TheirSettings(LazySettings):
        pass

    theirs = TheirSettings()
    theirs.configure(USE_TZ=False)
    assert settings_access.install(theirs) is False
    assert type(theirs) is TheirSettings

    lazy = LazySettings()
    lazy.configure(USE_TZ=False, DEBUG=True)
    assert settings_access.install(lazy) is True
    assert type(lazy) is settings_access.FastSettings
    assert settings_access.install(lazy) is True  # again: nothing more to do
    assert (lazy.USE_TZ, lazy.DEBUG) == (False, True)
    assert [call for call in python_calls(lambda: lazy.DEBUG) if "django/" in call] == []
