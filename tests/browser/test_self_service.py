"""A person's own data, as they would use it: from the personal link in their e-mail they download
their data, erase themselves, and the waiting list moves up; without a link they ask for one by
e-mail address.

Set FRUKOST_SCREENSHOTS=/some/dir to keep phone and desktop screenshots of the pages.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.browser.conftest import deliver_mail, mail_to, personal_link
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")

TEXTS = {
    "sv": {
        "data_link": "Ladda ner mina uppgifter",
        "data_heading": "Dina uppgifter",
        "download": "Ladda ner som fil (JSON)",
        "erase_link": "Radera mina uppgifter",
        "erase_heading": "Radera dina uppgifter?",
        "erase_button": "Ja, radera mina uppgifter",
        "erased": "Dina uppgifter är raderade",
        "first_name": "Förnamn",
        "receipt": "Dina personuppgifter är raderade",
        "offered": "En plats är ledig för dig: Chefsfrukost: Leda med tillit",
    },
    "en": {
        "data_link": "Download my data",
        "data_heading": "Your data",
        "download": "Download as a file (JSON)",
        "erase_link": "Erase my data",
        "erase_heading": "Erase your data?",
        "erase_button": "Yes, erase my data",
        "erased": "Your data has been erased",
        "first_name": "First name",
        "receipt": "Your personal data has been erased",
        "offered": "A seat is free for you: Chefsfrukost: Leda med tillit",
    },
}


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(size)


def subjects(messages) -> list[str]:
    # Folded non-ASCII subjects parse with a leading space; mail clients strip it too.
    return [message["Subject"].strip() for message in messages]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_attendee_downloads_their_data_erases_themselves_and_the_waiting_list_moves_up(
    page, site, event_factory, mail_dir, language
):
    texts = TEXTS[language]
    event = event_factory(capacity=1)
    register(
        event=event,
        person=make_person(
            "anna@example.se", language=language, workplace="Sundsvalls kommun", other_needs="Teleslinga"
        ),
    )
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla", language=language))
    messages = deliver_mail(mail_dir)
    anna_link = personal_link(mail_to(messages, "anna@example.se")[0], site)

    page.goto(anna_link)
    if language == "en":
        page.get_by_role("button", name="In English").click()
    page.get_by_role("link", name=texts["data_link"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["data_heading"])
    expect(page.get_by_text("Teleslinga")).to_be_visible()
    if language == "sv":
        shoot(page, "my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name=texts["download"]).click()
    assert re.fullmatch(r"(mina-uppgifter|my-data)-\d{4}-\d\d-\d\d\.json", download.value.suggested_filename)
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    person = {f["key"]: (f["label"], f["value"]) for f in data["sections"]["person"]["fields"]}
    assert person["first_name"] == (texts["first_name"], "Anna")
    assert person["workplace"][1] == "Sundsvalls kommun"
    assert data["schema"] == "frukost.personal-data"

    page.get_by_role("link", name=texts["erase_link"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["erase_heading"])
    if language == "sv":
        shoot(page, "erase")
    page.get_by_role("button", name=texts["erase_button"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["erased"])
    if language == "sv":
        shoot(page, "erased")

    later = deliver_mail(mail_dir)[len(messages) :]
    assert subjects(mail_to(later, "cilla@example.se")) == [texts["offered"]]  # the claim window
    assert subjects(mail_to(later, "anna@example.se")) == [texts["receipt"]]
    receipt = mail_to(later, "anna@example.se")[0].get_body(("plain",)).get_content()
    assert "Anna" not in receipt and "Sundsvalls kommun" not in receipt
    assert not Registration.objects.filter(email="anna@example.se").exists()
    assert Registration.objects.get(email="cilla@example.se").has_open_offer
    assert page.goto(anna_link).status == 404


def test_person_without_a_link_asks_by_address_and_erases_a_registration(page, site, event_factory, mail_dir):
    spring, autumn = event_factory(title="Vårfrukost"), event_factory(title="Höstfrukost")
    for event in (spring, autumn):
        register(event=event, person=make_person("anna@example.se"))
    before = len(deliver_mail(mail_dir))

    page.goto("/mina-uppgifter/")
    shoot(page, "data-request")
    page.get_by_label("Din e-postadress").fill("anna.example.se")
    page.get_by_role("button", name="Skicka länken till mig").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv e-postadressen så här: namn@exempel.se")
    shoot(page, "data-request-error")
    page.get_by_label("Din e-postadress").fill("Anna@Example.se")
    page.get_by_role("button", name="Skicka länken till mig").click()
    expect(page.get_by_role("status")).to_have_text(
        "Om vi har uppgifter om adressen har vi skickat en länk till den. Länken gäller i 24 timmar."
    )
    shoot(page, "data-request-sent")
    [mail] = deliver_mail(mail_dir)[before:]
    assert mail["To"] == "anna@example.se"
    link = re.search(re.escape(site) + r"/mina-uppgifter/[^/\s]+/", mail.get_body(("plain",)).get_content())

    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=3)).to_have_count(2)
    shoot(page, "data-request-list")
    page.get_by_role("article", name="Vårfrukost").get_by_role(
        "button", name="Radera den här anmälan"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Radera dina uppgifter?")
    shoot(page, "data-request-erase")
    page.get_by_role("button", name="Ja, radera mina uppgifter").click()
    expect(page.get_by_role("status")).to_contain_text("Uppgifterna i anmälan är raderade.")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Höstfrukost"])

    page.get_by_role("button", name="Radera den här anmälan").click()
    page.get_by_role("button", name="Ja, radera mina uppgifter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina uppgifter är raderade")
    assert page.goto(link.group(0)).status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte längre")
    assert not Registration.objects.filter(email="anna@example.se").exists()
