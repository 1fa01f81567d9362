"""The accessibility statement comes from a per-process cache (public/page_cache.py, static_key):
each visitor gets their own CSRF token in their own language, and a changed setting shows at once.
Each test first fills the cache with a visit, then checks what the next visitor sees."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from frukost.public import page_cache
from tests.public.test_event_page_cache import TOKEN, visit

pytestmark = pytest.mark.django_db

PATH = "/tillganglighet/"


def test_each_visitor_gets_their_own_csrf_token_and_can_switch_language_with_it():
    first, first_page = visit(PATH)
    second, second_page = visit(PATH, enforce_csrf_checks=True)

    (first_token,) = TOKEN.findall(first_page)
    (second_token,) = TOKEN.findall(second_page)
    assert first_token != second_token
    assert Client().get(PATH).templates == []  # served from the cache, not rendered
    assert first_page.replace(first_token, "") == second_page.replace(second_token, "")
    assert _unmask_cipher_token(second_token) == second.cookies["csrftoken"].value
    switched = second.post(
        "/i18n/setlang/", {"language": "en", "next": PATH, "csrfmiddlewaretoken": second_token}
    )
    assert switched.status_code == 302
    forged = second.post(
        "/i18n/setlang/", {"language": "en", "next": PATH, "csrfmiddlewaretoken": first_token}
    )
    assert forged.status_code == 403


def test_each_visitor_sees_the_statement_in_their_own_language():
    _, swedish = visit(PATH)
    _, english = visit(PATH, language="en")
    _, swedish_again = visit(PATH)

    assert '<html lang="sv">' in swedish
    assert "Tillgänglighets" in swedish
    assert '<html lang="en">' in english
    assert "Accessibility statement" in english
    assert "Tillgänglighets" not in english
    assert '<html lang="sv">' in swedish_again


def test_a_changed_contact_or_operator_shows_at_once(settings):
    settings.FRUKOST_ACCESSIBILITY_CONTACT = "tillganglighet@example.se"
    _, before = visit(PATH)
    settings.FRUKOST_ACCESSIBILITY_CONTACT = "webb@example.se"
    settings.FRUKOST_OPERATOR_NAME = "Akademikerförbundet SSR"
    _, after = visit(PATH)

    assert "mailto:tillganglighet@example.se" in before
    assert "mailto:webb@example.se" in after
    assert "tillganglighet@example.se" not in after
    assert "Akademikerförbundet SSR driver" in after


def test_the_cached_statement_carries_no_nonce_in_its_policy():
    pages = [Client().get(PATH) for _ in range(2)]

    for page in pages:
        assert "nonce" not in page["Content-Security-Policy"]
        assert "csrftoken" in page.cookies


def test_a_query_string_is_kept_in_the_language_switch_and_never_reaches_the_next_visitor():
    _, with_query = visit(PATH + "?fran=nyhetsbrev")
    _, plain = visit(PATH)

    assert 'value="/tillganglighet/?fran=nyhetsbrev"' in with_query
    assert "nyhetsbrev" not in plain


def test_the_cache_keeps_at_most_max_pages_and_each_for_its_timeout(monkeypatch, event):
    monkeypatch.setattr(page_cache, "MAX_PAGES", 2)
    clock = [1_000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    for path, language in ((PATH, None), (PATH, "en"), (event.get_absolute_url(), None)):
        visit(path, language=language)

    assert len(page_cache._pages) == 2
    # The oldest went first: the English statement and the event page are kept, the Swedish
    # statement renders again.
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert english.get(PATH).templates == []
    assert Client().get(event.get_absolute_url()).templates == []
    assert Client().get(PATH).templates != []
    # After its timeout a kept page renders again.
    clock[0] += page_cache.TIMEOUT + 1
    assert Client().get(event.get_absolute_url()).templates != []


def test_a_page_rendered_again_counts_as_the_newest_and_pushes_out_no_fresh_page(monkeypatch, event):
    monkeypatch.setattr(page_cache, "MAX_PAGES", 3)
    clock = [1_000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])

    visit(PATH)  # the Swedish statement
    clock[0] += page_cache.TIMEOUT / 2
    visit(PATH, language="en")
    clock[0] += page_cache.TIMEOUT / 2 + 1  # the Swedish statement has expired, the English not
    visit(PATH)  # rendered again: now the newest
    visit(event.get_absolute_url())
    clock[0] += page_cache.TIMEOUT / 2  # now the English one has expired
    visit(PATH, language="en")  # rendered again, in a full cache

    assert len(page_cache._pages) == 3
    # The Swedish statement, rendered a moment ago, and the event page are still kept.
    assert Client().get(PATH).templates == []
    assert Client().get(event.get_absolute_url()).templates == []
