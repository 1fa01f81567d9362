"""The Content-Security-Policy header, built once per process (core/http.py), is django-csp's."""

from __future__ import annotations

import re

from csp.constants import NONCE
from csp.decorators import csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from frukost.core.http import ContentSecurityPolicyMiddleware


def _directives(policy: str) -> dict[str, str]:
    # django-csp writes the directives in no fixed order.
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


def _nonce(policy: str) -> str:
    return re.search(r"'nonce-([\w+/=-]+)'", policy).group(1)


def test_each_page_gets_django_csps_policy_with_its_own_nonce(event):
    policies = [Client().get(event.get_absolute_url())["Content-Security-Policy"] for _ in range(2)]

    first, second = map(_nonce, policies)
    assert first != second
    for policy in policies:
        assert _directives(policy) == _directives(build_policy(nonce=_nonce(policy)))


def test_a_page_that_uses_no_nonce_gets_the_policy_without_one(db):
    response = Client().get("/tillganglighet/")

    assert "nonce" not in response["Content-Security-Policy"]
    assert _directives(response["Content-Security-Policy"]) == _directives(build_policy())


def test_a_changed_policy_applies_at_once(event):
    Client().get(event.get_absolute_url())  # the old policy built and kept
    policy = {
        "DIRECTIVES": {"default-src": ["'self'"], "style-src": ["'self'", NONCE], "img-src": ["https:"]}
    }

    with override_settings(CONTENT_SECURITY_POLICY=policy):
        changed = Client().get(event.get_absolute_url())["Content-Security-Policy"]
    after = Client().get(event.get_absolute_url())["Content-Security-Policy"]

    assert _directives(changed) == {
        "default-src": "'self'",
        "style-src": f"'self' 'nonce-{_nonce(changed)}'",
        "img-src": "https:",
    }
    assert _directives(after)["img-src"] == "'self' data:"


def test_a_report_only_policy_is_sent_beside_the_enforced_one(db):
    report_only = {"DIRECTIVES": {"default-src": ["'none'"], "report-uri": "/csp-report/"}}

    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        response = Client().get("/tillganglighet/")

    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'; report-uri /csp-report/"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_view_with_a_policy_of_its_own_keeps_it():
    view = csp_update({"img-src": "https://tiles.example.se"})(lambda request: HttpResponse("map"))
    middleware = ContentSecurityPolicyMiddleware(view)

    response = middleware(RequestFactory().get("/karta/"))

    assert (
        _directives(response["Content-Security-Policy"])["img-src"] == "'self' data: https://tiles.example.se"
    )
