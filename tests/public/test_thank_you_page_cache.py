"""The thank-you page after a registration comes from a per-process cache (public/page_cache.py),
like the event page: nothing of one registrant may reach another, and no change to the event or
its organisation may leave the page stale. Each test first fills the cache with one registrant's
page, then checks what the next one sees."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from tests.public.test_invitation_pages import form_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'<style nonce="([^"]+)">')


def registered(event, language: str | None = None, **fields) -> tuple[Client, str]:
    """A registrant's own browser: the form sent, then the thank-you page it is sent to."""
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sent = client.post(event.get_absolute_url(), form_data(**fields))
    assert sent.status_code == 302
    page = client.get(sent["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store, private"
    return client, page.content.decode()


def test_each_registrant_gets_their_own_csrf_token_and_nonce(event):
    first, first_page = registered(event, email="anna@example.se")
    second, second_page = registered(event, email="bo@example.se")

    first_tokens, second_tokens = set(TOKEN.findall(first_page)), set(TOKEN.findall(second_page))
    assert len(first_tokens) == len(second_tokens) == 1
    assert first_tokens != second_tokens
    assert _unmask_cipher_token(second_tokens.pop()) == second.cookies["csrftoken"].value
    assert NONCE.search(first_page).group(1) != NONCE.search(second_page).group(1)
    again = second.get(event.get_absolute_url() + "tack/")
    assert f"'nonce-{NONCE.search(again.content.decode()).group(1)}'" in again["Content-Security-Policy"]


def test_no_registrant_sees_another_ones_name_or_address(event):
    registered(event, first_name="Zakarias", last_name="Öberg", email="zakarias@example.se")

    _, page = registered(event, email="bo@example.se")

    assert "Zakarias" not in page
    assert "Öberg" not in page
    assert "zakarias@example.se" not in page
    assert "bo@example.se" not in page


def test_the_next_registrant_sees_their_own_status_not_the_previous_ones(event_factory):
    event = event_factory(capacity=1, max_colleagues=2)

    _, seated = registered(
        event,
        email="anna@example.se",
        colleague1_first_name="Bo",
        colleague1_last_name="Ek",
        colleague1_email="bo@example.se",
        colleague2_first_name="Cia",
        colleague2_last_name="Lind",
        colleague2_email="cia@example.se",
    )
    _, waiting = registered(event, email="dan@example.se")
    _, waiting_with_one = registered(
        event,
        email="eva@example.se",
        colleague1_first_name="Fia",
        colleague1_last_name="Ek",
        colleague1_email="fia@example.se",
    )

    assert "<h1>Tack för din anmälan!</h1>" in seated
    assert "Vi har också mejlat dina 2 kollegor" in seated
    assert "<h1>Du står på väntelistan</h1>" in waiting
    assert "kollega" not in waiting
    assert "<h1>Du står på väntelistan</h1>" in waiting_with_one
    assert "Vi har också mejlat din kollega" in waiting_with_one


def test_an_event_that_asks_for_confirmation_says_so_to_the_next_registrant(event_factory):
    plain = event_factory()
    confirming = event_factory(confirm_email=True)
    _, thanks = registered(plain)

    _, confirm = registered(confirming)

    assert "<h1>Tack för din anmälan!</h1>" in thanks
    assert "<h1>Tack! Bekräfta nu din anmälan</h1>" in confirm
    assert "Tack för din anmälan!" not in confirm


def test_each_registrant_sees_the_page_in_their_own_language(event):
    _, swedish = registered(event, email="anna@example.se")
    _, english = registered(event, language="en", email="bo@example.se")
    _, swedish_again = registered(event, email="cia@example.se")

    assert '<html lang="en">' in english
    assert "<h1>Thank you for registering!</h1>" in english
    for page in (swedish, swedish_again):
        assert '<html lang="sv">' in page
        assert "<h1>Tack för din anmälan!</h1>" in page


def test_an_edit_of_the_event_or_its_organisation_shows_at_once(event):
    client, _ = registered(event)
    thanks = event.get_absolute_url() + "tack/"

    event.title = "Chefsfrukost: Mod att leda"
    event.save(update_fields=["title"])  # not even updated_at: the page must still follow
    retitled = client.get(thanks).content.decode()
    organisation = event.organisation
    organisation.name = "Akademikerförbundet SSR Norr"
    organisation.colour = "#123456"
    organisation.save()
    renamed = client.get(thanks).content.decode()

    assert "Chefsfrukost: Mod att leda" in retitled
    assert "Leda med tillit" not in retitled
    assert "Akademikerförbundet SSR Norr" in renamed
    assert "--brand: #123456;" in renamed


def test_a_thank_you_page_costs_one_query(event, django_assert_max_num_queries):
    client, _ = registered(event)

    with django_assert_max_num_queries(1):  # the event with its organisation
        assert client.get(event.get_absolute_url() + "tack/").status_code == 200
