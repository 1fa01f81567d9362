"""What a careful operator checks with curl and in the journal: HEAD on public pages, security
headers, security.txt, the accessibility statement, one-line logs for unknown hosts and CSRF failures."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import Client, RequestFactory

from frukost.core.http import permissions_policy
from frukost.registrations.services import register
from tests.public.test_personal_link import link_in_last_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_urls(client, event, person):
    register(event=event, person=person("anna@example.se"))
    link = link_in_last_mail("anna@example.se")
    return [
        "/",
        "/integritet/",
        "/tillganglighet/",
        event.get_absolute_url(),
        event.get_absolute_url() + "kalender.ics",
        event.get_absolute_url() + "tack/",
        link,
        link + "avanmal/",
        link + "kalender.ics",
        link + "mina-uppgifter/",
        link + "mina-uppgifter.json",
        link + "radera/",
        "/mina-uppgifter/",
        "/mina-uppgifter/raderade/",
    ]


def test_every_public_page_answers_head_as_it_answers_get(client, public_urls, settings):
    settings.FRUKOST_SECURITY_CONTACT = "mailto:drift@example.se"
    for url in [*public_urls, "/.well-known/security.txt"]:
        get = client.get(url)
        head = client.head(url)

        assert (url, head.status_code) == (url, get.status_code)
        assert get.status_code in (200, 302)
        assert head.content == b""


def test_head_through_the_wsgi_handler_sends_headers_and_no_body(public_urls):
    # The test client drops HEAD bodies itself; gunicorn gets what the WSGI handler returns.
    application = WSGIHandler()
    for url in public_urls:
        answers = {}
        for method in ("GET", "HEAD"):
            environ = RequestFactory()._base_environ(REQUEST_METHOD=method, PATH_INFO=url)
            started = []

            def start_response(status, headers, exc_info=None, started=started):
                started.append((status, headers))

            body = b"".join(application(environ, start_response))
            [(status, headers)] = started
            answers[method] = (status, dict(headers).get("Content-Length"), body)

        assert answers["HEAD"][:2] == answers["GET"][:2], url
        assert answers["HEAD"][2] == b""


def test_csp_has_no_unsafe_inline_on_any_page(client, public_urls):
    for url in [*public_urls, "/backoffice/", "/konto/login/", "/admin/login/"]:
        response = Client().get(url, follow=True)
        policy = response["Content-Security-Policy"]

        assert "unsafe-inline" not in policy, url
        # django-csp writes the directives in no fixed order.
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]+')?", directives["style-src"]), (url, policy)


def test_the_organisations_colour_is_the_only_style_and_carries_the_nonce(client, event):
    response = client.get(event.get_absolute_url())
    nonce = re.search(r"style-src 'self' 'nonce-([\w+/=-]+)'", response["Content-Security-Policy"]).group(1)

    styles = re.findall(r"<style[^>]*>", response.content.decode())
    assert styles == [f'<style nonce="{nonce}">']
    assert " style=" not in response.content.decode()


def test_every_page_switches_off_powerful_browser_features(client, public_urls):
    for url in [*public_urls, "/backoffice/"]:
        policy = client.get(url, follow=True)["Permissions-Policy"]

        assert "camera=()" in policy
        assert "microphone=()" in policy
        assert "geolocation=()" in policy
        assert "(self)" not in policy


def test_a_page_can_allow_the_camera_for_itself_only():
    view = permissions_policy(camera="self")(lambda request: HttpResponse("check-in"))

    policy = view(RequestFactory().get("/"))["Permissions-Policy"]

    assert "camera=(self)" in policy.split(", ")
    assert "microphone=()" in policy.split(", ")


def test_hsts_header_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_security_txt_follows_rfc_9116(client, settings, time_machine):
    time_machine.move_to(dt.datetime(2029, 5, 16, 10, 30, tzinfo=dt.UTC), tick=False)
    settings.FRUKOST_SECURITY_CONTACT = "sakerhet@example.se"
    settings.BASE_URL = "https://frukost.example.se"

    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Contact: mailto:sakerhet@example.se\n"
        "Expires: 2030-05-15T00:00:00Z\n"
        "Preferred-Languages: sv, en\n"
        "Canonical: https://frukost.example.se/.well-known/security.txt\n"
    )


def test_security_txt_is_absent_without_a_contact(client, settings):
    settings.FRUKOST_SECURITY_CONTACT = ""

    assert client.get("/.well-known/security.txt").status_code == 404


def test_accessibility_statement_follows_diggs_template_in_swedish(client, settings):
    settings.FRUKOST_OPERATOR_NAME = "Akademikerförbundet SSR"
    settings.FRUKOST_ACCESSIBILITY_CONTACT = "tillganglighet@example.se"
    settings.BASE_URL = "https://frukost.example.se"

    page = client.get("/tillganglighet/").content.decode()

    for text in [
        "<h1>Tillgänglighets\u00adredogörelse för frukost.example.se</h1>",
        "Akademikerförbundet SSR driver den här webbplatsen",
        "delvis förenlig med lagen om tillgänglighet till digital offentlig service",
        'href="mailto:tillganglighet@example.se"',
        'href="https://www.digg.se/tdosanmalan"',
        "Vi har själva bedömt webbplatsen (en självskattning)",
        "Redogörelsen upprättades och uppdaterades senast den 1 december 2026.",
    ]:
        assert text in page, text


def test_accessibility_statement_in_english(client, settings):
    settings.FRUKOST_ACCESSIBILITY_CONTACT = "tillganglighet@example.se"
    client.cookies["frukost_language"] = "en"

    page = client.get("/tillganglighet/").content.decode()

    assert "partially compliant with the act on accessibility to digital public services" in page
    assert "report it to Digg" in page


def test_accessibility_statement_without_a_contact_points_to_the_events_contact(client, settings):
    settings.FRUKOST_ACCESSIBILITY_CONTACT = ""

    page = client.get("/tillganglighet/").content.decode()

    assert "mailto:" not in page
    assert "evenemangets kontaktperson" in page


def test_accessibility_statement_is_linked_from_every_footer(client, public_urls):
    pages = [url for url in public_urls if not url.endswith((".ics", ".json"))]
    for url in [*pages, "/konto/login/", "/nowhere/at/all/"]:
        page = client.get(url, follow=True).content.decode()
        footer = page[page.index("<footer") :]

        assert 'href="/tillganglighet/"' in footer, url


@pytest.fixture
def unknown_host_log():
    handler = logging.getLogger("django.security.DisallowedHost").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_request_for_an_unknown_host_logs_one_line(unknown_host_log):
    response = Client().get("/", HTTP_HOST="scanner.example")

    assert response.status_code == 400
    lines = unknown_host_log.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        " ERROR django.security.DisallowedHost: Invalid HTTP_HOST header: 'scanner.example'. "
        "You may need to add 'scanner.example' to ALLOWED_HOSTS."
    )
    # Not passed on to the root logger, whose handler would print the traceback.
    assert logging.getLogger("django.security.DisallowedHost").propagate is False


def test_csrf_failure_behind_a_proxy_tells_the_operator_what_to_set(event, caplog):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        event.get_absolute_url(), {"first_name": "Anna"}, HTTP_ORIGIN="https://testserver"
    )

    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "frukost.security.csrf"]
    message = record.getMessage()
    assert message.startswith("CSRF failure on POST public:event: Origin checking failed")
    assert "seen as http, Origin https://testserver" in message
    assert "set FRUKOST_BEHIND_PROXY=1" in message
    assert "Anna" not in message


def test_csrf_failure_log_holds_no_token_from_a_personal_link(client, event, person, caplog):
    register(event=event, person=person("anna@example.se"))
    link = link_in_last_mail("anna@example.se")
    token = link.split("/")[2]
    browser = Client(enforce_csrf_checks=True)
    browser.get(event.get_absolute_url())

    # A post over https that Django checks by its Referer: one that names a personal link.
    response = browser.post(
        event.get_absolute_url(),
        {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
        secure=True,
        HTTP_REFERER=f"https://elsewhere.example{link}",
    )

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "frukost.security.csrf"]
    message = record.getMessage()
    assert "CSRF failure on POST public:event:" in message
    assert "Referer checking failed - https://elsewhere.example does not match" in message
    assert token not in message
    # Django's own line ("Forbidden (Referer checking failed - …/r/<token>/ …)") goes nowhere.
    django_csrf = logging.getLogger("django.security.csrf")
    assert django_csrf.propagate is False
    assert [type(h).__name__ for h in django_csrf.handlers if type(h).__module__ == "logging"] == [
        "NullHandler"
    ]
    assert browser.cookies["csrftoken"].value not in message
