"""Headless Chromium (Debian's, never a downloaded one) against pytest-django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from frukost.mail.worker import send_due
from tests.conftest import read_eml_files

# Playwright's sync API keeps an asyncio event loop running in the test's own thread, and
# Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation),
# because in real async code a blocking query would stall the loop. Here the loop only
# serves Playwright's driver while the test itself runs synchronously, so arranging data
# with the ORM from the test is safe; the live server answers from its own thread anyway.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server's address; links in e-mails point at it.

    pytest-django switches EMAIL_BACKEND to locmem; these tests read the .eml files the
    development backend writes into the per-test MAIL_DIR, as a person would read their mail.
    """
    settings.BASE_URL = live_server.url
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    return live_server.url


@pytest.fixture
def new_context(browser, site) -> Iterator:
    """Open fresh browser contexts (a person with no cookies); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        # Reduced motion: no smooth scrolling, so positions are settled when a test reads them.
        options = {"locale": "sv-SE", "reduced_motion": "reduce", **options}
        context = browser.new_context(base_url=site, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Iterator[Page]:
    """A page that fails the test on a console error (a CSP violation, a script error) or a missing file.

    A form answered with 400 is how the server says "please correct": not an error here.
    """
    page = new_context().new_page()
    errors: list[str] = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == []


def deliver_mail(mail_dir) -> list[EmailMessage]:
    """Run the outbox worker once, then read every message it wrote, oldest first."""
    send_due()
    return read_eml_files(mail_dir) if mail_dir.exists() else []


def mail_to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [message for message in messages if message["To"] == address]


def personal_link(message: EmailMessage, site: str) -> str:
    """The one personal link in a message's plain-text body."""
    text = message.get_body(("plain",)).get_content()
    links = set(re.findall(re.escape(site) + r"/r/[^/\s]+/", text))
    assert len(links) == 1, text
    return links.pop()


def sign_in(page, email: str, password: str = "ett-langt-losenord", *, two_factor: bool = True) -> None:
    """Sign in to the back office as a person does: address, password, then the authenticator's code."""
    from tests.conftest import totp_code

    page.goto("/backoffice/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if two_factor:
        page.get_by_label("Kod").fill(totp_code())
        page.get_by_role("button", name="Logga in").click()
