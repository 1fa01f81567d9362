"""The sign-in throttle as deployed: counts shared by every worker (the default cache is the
database or Redis, never per-process memory), and behind the reverse proxy counted per client, so
that one attacker cannot lock every operator and organiser out."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.core.test_production_settings import _setting

pytestmark = pytest.mark.django_db

PASSWORD = "ett-langt-losenord"
LOGIN = "/konto/login/"
PROXY = "127.0.0.1"  # nginx, as gunicorn sees it


def _refusal() -> str:
    from allauth.account.adapter import get_adapter

    with translation.override("sv"):
        return str(get_adapter().error_messages["too_many_login_attempts"])


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _is_refused(response) -> bool:
    """Refused: the form's "too many failed attempts", or allauth's 429 past 30 sign-ins a minute."""
    return response.status_code == 429 or _refusal() in _text(response)


def _sign_in(client, email, password=PASSWORD, *, path=LOGIN, client_ip=None):
    headers = {"REMOTE_ADDR": PROXY}
    if client_ip:
        # What nginx's `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` sends on.
        headers["HTTP_X_FORWARDED_FOR"] = client_ip
    return client.post(path, {"login": email, "password": password}, **headers)


@pytest.fixture
def operator(db):
    from frukost.accounts.services import create_person

    user = create_person(email="op@example.se", password=PASSWORD)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_forty_wrong_passwords_for_the_operators_admin_are_refused_after_the_limit(client, operator):
    # The admin's own login form never checks a password: it sends the operator to allauth's.
    for _ in range(40):
        bypass = client.post("/admin/login/?next=/admin/", {"username": "op@example.se", "password": "fel"})
        assert bypass.status_code == 302 and bypass["Location"].startswith(reverse("account_login"))
    sign_in = f"{LOGIN}?next=/admin/"
    answers = [_sign_in(client, "op@example.se", f"fel-{n}", path=sign_in) for n in range(40)]

    right_at_the_end = _sign_in(client, "op@example.se", path=sign_in)

    refused = [n for n, answer in enumerate(answers) if _is_refused(answer)]
    assert refused == list(range(5, 40))
    assert _is_refused(right_at_the_end)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_counts_are_shared_by_every_client_and_process(operator):
    first, second = Client(), Client()
    for n in range(3):
        _sign_in(first, "op@example.se", f"fel-{n}")
    for n in range(2):
        _sign_in(second, "op@example.se", f"fel-{n}")

    # The counts are rows in the database, where another gunicorn worker (a new cache object of its
    # own, no shared memory) reads them.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM frukost_cache")
        keys = [key for (key,) in cursor.fetchall()]
    another_worker = DatabaseCache("frukost_cache", {})
    refused = _sign_in(Client(), "op@example.se")

    assert isinstance(caches["default"], DatabaseCache)
    counts = [key.split(":", 2)[2] for key in keys if ":login_failed:" in key]  # ":1:allauth:rl:…"
    assert len(counts) == 2  # per address, per account
    assert all(len(another_worker.get(key, [])) == 5 for key in counts)
    assert _refusal() in _text(refused)


@pytest.mark.parametrize("proxy_count, other_signs_in", [(1, True), (0, False)])
def test_behind_the_proxy_an_attacker_does_not_lock_out_people_elsewhere(
    client, settings, staff_factory, operator, proxy_count, other_signs_in
):
    """With the proxy trusted (FRUKOST_BEHIND_PROXY=1) each client is counted by its own address;
    the control (0, as before) shows everybody sharing nginx's address and locked out together."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxy_count
    staff_factory("door", "dorr@example.se")
    for n in range(5):
        _sign_in(client, "op@example.se", f"fel-{n}", client_ip="203.0.113.9")

    colleague = _sign_in(Client(), "dorr@example.se", client_ip="198.51.100.7")

    if other_signs_in:
        assert colleague.status_code == 302 and colleague["Location"] == reverse("backoffice:home")
    else:
        assert _refusal() in _text(colleague)


def test_behind_the_proxy_a_forged_forwarded_for_does_not_reset_the_count(client, settings, staff_factory):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # A different account each time (the per-account count stays low) and a made-up left-most
        # hop; nginx appends the real address, which is what is counted.
        _sign_in(client, f"person-{n}@example.se", "fel", client_ip=f"10.0.0.{n}, 203.0.113.9")

    sixth = _sign_in(client, "person-9@example.se", "fel", client_ip="10.0.0.99, 203.0.113.9")

    assert _refusal() in _text(sixth)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "DatabaseCache frukost_cache 0"),
        ({"FRUKOST_BEHIND_PROXY": "1"}, "DatabaseCache frukost_cache 1"),
        # Redis serves the public rate limits only: a sign-in never depends on it being up.
        ({"FRUKOST_REDIS_URL": "redis://127.0.0.1:6379/0"}, "DatabaseCache frukost_cache 0"),
    ],
)
def test_production_settings_share_the_throttle_between_workers(tmp_path, environment, expected):
    expression = (
        "s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], s.CACHES['default']['LOCATION'], "
        "s.ALLAUTH_TRUSTED_PROXY_COUNT"
    )
    assert _setting(tmp_path, expression, **environment) == expected


def test_behind_the_proxy_one_account_is_still_limited_from_many_addresses(client, settings, operator):
    """The per-account limit (5/15m/key) holds however many addresses the attacker has."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        _sign_in(Client(), "op@example.se", f"fel-{n}", client_ip=f"203.0.113.{n}")

    right_password = _sign_in(client, "op@example.se", client_ip="198.51.100.7")

    assert _is_refused(right_password)
    assert "_auth_user_id" not in client.session


def test_sign_in_works_while_the_configured_redis_is_down(client, settings, operator):
    """Redis down must not take the back office's sign-in with it (the throttle is in the database)."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }

    answer = _sign_in(client, "op@example.se", "fel")

    assert answer.status_code == 200
    assert "lösenord" in _text(answer).lower()
