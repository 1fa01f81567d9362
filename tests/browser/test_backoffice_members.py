"""The demo owner signs in for the first time, sets up two-factor, invites an organiser by e-mail;
the organiser opens the link, chooses a password, sets up two-factor and reaches the events."""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import deliver_mail, mail_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-eget-langt-losenord"
# Screenshots for people to look at: FRUKOST_SCREENSHOTS=/some/dir (off by default).
SHOTS = os.environ.get("FRUKOST_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(size)


def _code_for(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _set_up_two_factor(page, shot: str = "") -> None:
    """On the set-up page: read the key as a person would type it into their app, enter the code."""
    expect(page.get_by_role("img", name="QR-kod för din autentiseringsapp")).to_be_visible()
    if shot:
        _shoot(page, shot)
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.get_by_label("Autentiseringskod").fill(_code_for(secret))
    page.get_by_role("button", name="Aktivera").click()
    page.get_by_role("heading", name="Återställningskoder").wait_for()
    assert page.locator(".bo-recovery-codes li").count() == 10
    if shot:
        _shoot(page, "recovery-codes")
    page.get_by_role("link", name="Jag har sparat koderna – fortsätt").click()


def test_demo_owner_invites_an_organiser_who_joins_and_reaches_the_events(page, new_context, mail_dir):
    output = StringIO()
    call_command("seed_demo", stdout=output)
    email, password = re.search(r"e-mail (\S+)\s+password (\S+)", output.getvalue()).groups()

    # The owner's first sign-in: password, then the back office asks for two-factor first.
    page.goto("/backoffice/")
    _shoot(page, "sign-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Slå på tvåstegsverifiering").click()
    _set_up_two_factor(page, shot="two-factor-set-up")
    page.get_by_role("heading", name="Evenemang", exact=True).wait_for()

    # Invite an organiser.
    page.get_by_role("navigation", name="Organisation").get_by_role("link", name="Användare").click()
    page.get_by_role("link", name="Bjud in en användare").click()
    _shoot(page, "member-invite")
    page.get_by_label("E-postadress").fill("ny.arrangor@example.se")
    page.get_by_label("Arrangör: evenemang, anmälningar, utskick och exporter").check()
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_text("Inbjudan är på väg till ny.arrangor@example.se.")).to_be_visible()
    expect(page.get_by_role("cell", name="ny.arrangor@example.se", exact=True)).to_be_visible()
    _shoot(page, "members")

    # The invitation arrives; the organiser opens it in their own browser.
    [message] = mail_to(deliver_mail(mail_dir), "ny.arrangor@example.se")
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"].strip() == "Inbjudan till Akademikerförbundet SSR:s arrangörsverktyg"
    assert email in text
    link = re.search(r"https?://\S+/backoffice/inbjudan/\S+/", text).group(0)

    invitee = new_context().new_page()
    invitee.goto(link)
    invitee.get_by_role("heading", name="Gå med i Akademikerförbundet SSR").wait_for()
    _shoot(invitee, "invitation")
    invitee.get_by_label("Välj ett lösenord").fill(PASSWORD)
    invitee.get_by_label("Samma lösenord igen").fill(PASSWORD)
    invitee.get_by_role("button", name="Tacka ja och skapa mitt konto").click()

    # Straight on to two-factor, then the events.
    invitee.get_by_role("heading", name="Slå på tvåstegsverifiering").wait_for()
    _set_up_two_factor(invitee)
    invitee.get_by_role("heading", name="Evenemang", exact=True).wait_for()
    expect(invitee.get_by_role("link", name=re.compile("Chefsfrukost")).first).to_be_visible()
