"""The claim window as people meet it: a seat is freed, offered to the first in the queue, not
taken in time, offered to the next, who opens the e-mail from the mail directory, follows its
link and presses "Ta platsen".

Set FRUKOST_SCREENSHOTS=/some/dir to keep screenshots of the mail and the pages (390 and 1280 px).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, pass_on_lapsed_offers, register
from tests.browser.conftest import deliver_mail, mail_to
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _subjects(messages, address):
    return [m["Subject"].strip() for m in mail_to(messages, address)]


def test_a_seat_freed_offered_not_taken_offered_to_the_next_and_taken(page, site, mail_dir, event_factory):
    event = event_factory(capacity=1, registration_deadline=None)
    anna = register(event=event, person=make_person("anna@example.se")).registration
    register(event=event, person=make_person("bo@example.se", first_name="Bo"))
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla"))
    deliver_mail(mail_dir)

    # Anna cancels: the seat is offered to Bo, who lets the window run out.
    cancel_registration(registration=anna)
    bo = Registration.objects.get(email="bo@example.se")
    assert _subjects(deliver_mail(mail_dir), "bo@example.se")[-1] == (
        "En plats är ledig för dig: Chefsfrukost: Leda med tillit"
    )
    assert pass_on_lapsed_offers(now=bo.offer_expires_at) == 1  # the worker's round at the deadline
    mail = deliver_mail(mail_dir)
    assert _subjects(mail, "bo@example.se")[-1] == "Platsen har gått vidare: Chefsfrukost: Leda med tillit"

    # Cilla reads her offer and takes the seat.
    [offer] = [
        m for m in mail_to(mail, "cilla@example.se") if m["Subject"].strip().startswith("En plats är ledig")
    ]
    text = offer.get_body(("plain",)).get_content()
    assert "Ta den senast " in text and "Om du inte tar den till dess går den vidare" in text
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(offer.get_body(("html",)).get_content())
    shoot(page, "offer-mail-390")
    page.get_by_role("link", name="Ta platsen").click()

    expect(page).to_have_url(re.compile(re.escape(site) + r"/r/[^/]+/plats/$"))
    expect(page.get_by_role("heading", name="En plats är ledig för dig")).to_be_visible()
    expect(page.get_by_text("Platsen hålls åt dig till")).to_be_visible()
    shoot(page, "offer-page-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot(page, "offer-page-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        Registration.objects.get(email="cilla@example.se").status == Status.WAITLISTED
    )  # the GET took nothing
    page.get_by_role("button", name="Ta platsen").click()

    expect(page.get_by_role("heading", name="Platsen är din!")).to_be_visible()
    shoot(page, "offer-taken-390")
    page.reload()  # a GET afterwards changes nothing and still says so
    expect(page.get_by_role("heading", name="Platsen är din!")).to_be_visible()
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {
        "anna@example.se": Status.CANCELLED,
        "bo@example.se": Status.WAITLISTED,
        "cilla@example.se": Status.REGISTERED,
    }
    assert _subjects(deliver_mail(mail_dir), "cilla@example.se")[-1] == (
        "Du har fått en plats på Chefsfrukost: Leda med tillit"
    )


def test_the_lapsed_person_opening_their_old_offer_is_told_kindly(page, site, mail_dir, event_factory):
    event = event_factory(capacity=1, registration_deadline=None)
    anna = register(event=event, person=make_person("anna@example.se")).registration
    register(event=event, person=make_person("bo@example.se", first_name="Bo"))
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla"))
    cancel_registration(registration=anna)
    [offer] = [
        m
        for m in mail_to(deliver_mail(mail_dir), "bo@example.se")
        if m["Subject"].strip().startswith("En plats är ledig")
    ]
    pass_on_lapsed_offers(now=Registration.objects.get(email="bo@example.se").offer_expires_at)

    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(offer.get_body(("html",)).get_content())
    page.get_by_role("link", name="Ta platsen").click()

    expect(page.get_by_role("heading", name="Erbjudandet har gått ut")).to_be_visible()
    expect(page.get_by_role("button", name="Ta platsen")).to_have_count(0)
    shoot(page, "offer-passed-390")
