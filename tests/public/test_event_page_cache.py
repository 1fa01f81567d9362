"""The event page GET comes from a per-process cache (public/page_cache.py): nothing of one visitor
may reach another, and no change to the event, its organisation or its seats may leave a page
stale. Each test first fills the cache with a visit, then checks what the next visitor sees."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from frukost.events.services import close_registration, reopen_registration
from frukost.registrations.services import cancel_registration, register
from tests.public.test_invitation_pages import anna, form_data, invite_path  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'<style nonce="([^"]+)">')


def visit(path: str, language: str | None = None, **client_options) -> tuple[Client, str]:
    client = Client(**client_options)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200
    return client, response.content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_can_register_with_it(event):
    first, first_page = visit(event.get_absolute_url())
    second, second_page = visit(event.get_absolute_url(), enforce_csrf_checks=True)

    first_tokens = set(TOKEN.findall(first_page))
    second_tokens = set(TOKEN.findall(second_page))
    assert len(first_tokens) == len(second_tokens) == 1  # the language switch and the form share it
    assert len(TOKEN.findall(second_page)) == 2
    assert first_tokens != second_tokens
    (token,) = second_tokens
    assert _unmask_cipher_token(token) == second.cookies["csrftoken"].value
    response = second.post(event.get_absolute_url(), {**form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    # The first visitor's token is not the second's: a POST with it and the second's cookie fails.
    forged = second.post(
        event.get_absolute_url(),
        {**form_data(email="bo@example.se"), "csrfmiddlewaretoken": first_tokens.pop()},
    )
    assert forged.status_code == 403


def test_each_page_carries_the_nonce_its_own_header_allows(event):
    pages = [Client().get(event.get_absolute_url()) for _ in range(2)]

    nonces = [NONCE.search(page.content.decode()).group(1) for page in pages]
    assert nonces[0] != nonces[1]
    for page, nonce in zip(pages, nonces, strict=True):
        assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]


def test_a_form_sent_back_with_errors_is_never_shown_to_the_next_visitor(event):
    visit(event.get_absolute_url())
    sent = Client().post(
        event.get_absolute_url(), {**form_data(email="not-an-address"), "first_name": "Zakarias"}
    )
    assert sent.status_code == 400
    assert "Zakarias" in sent.content.decode()

    _, page = visit(event.get_absolute_url())

    assert "Zakarias" not in page
    assert "not-an-address" not in page
    assert 'id="error-summary"' not in page
    assert "<title>Fel" not in page


def test_the_invitation_page_is_never_cached_nor_its_prefilled_form_shown_on_the_public_page(event, anna):  # noqa: F811
    visit(event.get_absolute_url())

    invited = Client().get(invite_path(anna)).content.decode()
    _, public = visit(event.get_absolute_url())
    invited_again = Client().get(invite_path(anna))

    assert 'value="anna@example.se"' in invited
    assert "anna@example.se" not in public
    assert 'value="Svensson"' not in public
    assert "no-store" in invited_again["Cache-Control"]
    assert 'value="anna@example.se"' in invited_again.content.decode()


def test_each_visitor_sees_the_page_in_their_own_language(event):
    _, swedish = visit(event.get_absolute_url())
    _, english = visit(event.get_absolute_url(), language="en")
    _, swedish_again = visit(event.get_absolute_url())

    assert '<html lang="en">' in english
    assert "Registration open" in english
    assert '<h2 id="register-heading">Registration</h2>' in english
    assert "Anmälan" not in english
    assert "På svenska" in english
    for page in (swedish, swedish_again):
        assert '<html lang="sv">' in page
        assert "Anmälan är öppen" in page
        assert '<h2 id="register-heading">Anmälan</h2>' in page
        assert "Registration" not in page
        assert "In English" in page


def test_a_registration_that_fills_the_last_seat_shows_at_once_and_a_cancellation_frees_it(
    event_factory, person
):
    event = event_factory(capacity=1, few_seats_threshold=0)
    _, before = visit(event.get_absolute_url())

    result = register(event=event, person=person("anna@example.se"))
    _, full = visit(event.get_absolute_url())
    cancel_registration(registration=result.registration)
    _, freed = visit(event.get_absolute_url())

    assert "Anmälan är öppen" in before
    assert "Fullbokat – väntelistan är öppen" in full
    assert "Ställ dig på väntelistan" in full
    assert "Anmälan är öppen" in freed
    assert "Fullbokat" not in freed


def test_a_registration_through_the_page_itself_shows_on_the_next_visit(event_factory):
    event = event_factory(capacity=1, few_seats_threshold=0)
    visit(event.get_absolute_url())

    assert Client().post(event.get_absolute_url(), form_data()).status_code == 302
    _, page = visit(event.get_absolute_url())

    assert "Fullbokat – väntelistan är öppen" in page


def test_a_capacity_change_shows_at_once(event_factory, person):
    event = event_factory(capacity=1, few_seats_threshold=0)
    register(event=event, person=person("anna@example.se"))
    _, full = visit(event.get_absolute_url())

    event.capacity = 2
    event.save(update_fields=["capacity"])  # not even updated_at: the page must still follow
    _, bigger = visit(event.get_absolute_url())

    assert "Fullbokat" in full
    assert "Anmälan är öppen" in bigger


def test_closing_and_reopening_registration_shows_at_once(event):
    visit(event.get_absolute_url())

    close_registration(event=event)
    _, closed = visit(event.get_absolute_url())
    reopen_registration(event=event)
    _, reopened = visit(event.get_absolute_url())

    assert "Anmälan till evenemanget är stängd." in closed
    assert 'name="first_name"' not in closed
    assert 'name="first_name"' in reopened


def test_an_edit_of_the_event_or_its_organisation_shows_at_once(event):
    visit(event.get_absolute_url())

    event.title = "Chefsfrukost: Mod att leda"
    event.save()
    organisation = event.organisation
    organisation.name = "Akademikerförbundet SSR Norr"
    organisation.colour = "#123456"
    organisation.membership_question = "Är du med i facket?"
    organisation.save()
    _, page = visit(event.get_absolute_url())

    assert "<h1>Chefsfrukost: Mod att leda</h1>" in page
    assert "Akademikerförbundet SSR Norr" in page
    assert "--brand: #123456;" in page
    assert "Är du med i facket?" in page


def test_head_answers_with_the_pages_headers_and_no_body(event):
    visit(event.get_absolute_url())
    page = Client().get(event.get_absolute_url())

    head = Client().head(event.get_absolute_url())

    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(page.content))
    assert "csrftoken" in head.cookies


def test_a_query_string_is_kept_in_the_language_switch_and_never_reaches_the_next_visitor(event):
    visit(event.get_absolute_url())

    _, tagged = visit(event.get_absolute_url() + "?utm_source=nyhetsbrev")
    _, plain = visit(event.get_absolute_url())

    assert f'value="{event.get_absolute_url()}?utm_source=nyhetsbrev"' in tagged
    assert "utm_source" not in plain


def test_a_cached_event_page_costs_two_queries(event, django_assert_max_num_queries):
    visit(event.get_absolute_url())

    with django_assert_max_num_queries(2):  # the event with its organisation, the seats taken
        visit(event.get_absolute_url())


def test_the_key_holds_every_stored_field_of_the_event_and_its_organisation(event, rf):
    # The pages' key (page_cache._key) reads the facts with operator.attrgetter: it must hold the
    # value of every concrete field, so a change to any of them is a new page at once.
    from frukost.public import page_cache

    request = rf.get(event.get_absolute_url())
    key = page_cache.page_key(request, event, "open")

    assert key[1] == tuple(getattr(event, field.attname) for field in event._meta.concrete_fields)
    organisation = event.organisation
    assert key[2] == tuple(
        getattr(organisation, field.attname) for field in organisation._meta.concrete_fields
    )
    for obj in (event, organisation):
        for field in obj._meta.concrete_fields:
            # In the instance's dict, past the descriptors (a new organisation_id would drop the
            # cached organisation and read it again).
            before = obj.__dict__[field.attname]
            obj.__dict__[field.attname] = object()
            assert page_cache.page_key(request, event, "open") != key, field.attname
            obj.__dict__[field.attname] = before
    assert page_cache.page_key(request, event, "open") == key
