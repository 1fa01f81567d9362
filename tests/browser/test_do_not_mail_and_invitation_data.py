"""The do-not-mail list and a person's invitation data, as people use them: an organiser finds the
list in the menu, adds an address someone phoned about and takes a fixed bounce off (an unsubscribe
has no such button); someone who only got an invitation asks for their data by address, sees what
the list held and erases it, their unsubscribe staying on the list.

Set FRUKOST_SCREENSHOTS=/some/dir to keep phone (390) and desktop (1280) screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from frukost.contacts.models import Suppression
from frukost.contacts.suppression import suppress
from frukost.invitations.models import InvitationList, Invitee
from tests.browser.conftest import deliver_mail, sign_in
from tests.conftest import stockholm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(size)


def test_an_organiser_adds_an_address_and_takes_a_fixed_bounce_off_the_list(
    page, staff_factory, organisation
):
    staff_factory("organiser", "olle@example.se")
    suppress(organisation=organisation, email="asa.ostlund@sundsvall.se", reason="unsubscribed")
    suppress(
        organisation=organisation,
        email="bo.ek@harnosand.se",
        reason="bounced",
        detail="550 5.1.1 <address>: Recipient address rejected: User unknown",
    )

    sign_in(page, "olle@example.se")
    page.get_by_role("link", name="Spärrlista").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Spärrlista")
    row = page.get_by_role("row").filter(has_text="asa.ostlund@sundsvall.se")
    expect(row).to_contain_text("Avregistrerad från inbjudningar")
    expect(row).to_contain_text("Bara personen själv kan ångra detta")
    page.get_by_text("Lägg till en adress").click()
    page.get_by_label("E-postadress", exact=True).fill("cecilia.lind")
    page.get_by_role("button", name="Lägg till på listan").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv e-postadressen så här: namn@exempel.se")
    page.get_by_label("E-postadress", exact=True).fill("Cecilia.Lind@Timra.se")
    page.get_by_label("Anteckning").fill("Ringde 3 december och bad att slippa inbjudningar")
    page.get_by_role("button", name="Lägg till på listan").click()
    expect(page.get_by_role("status")).to_contain_text("cecilia.lind@timra.se får inga fler inbjudningar.")
    shoot(page, "do-not-mail-list")

    page.get_by_role("row").filter(has_text="bo.ek@harnosand.se").get_by_role(
        "link", name="Ta bort från listan"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ta bort bo.ek@harnosand.se från spärrlistan?")
    shoot(page, "do-not-mail-remove")
    page.get_by_role("button", name="Ta bort från listan").click()

    expect(page.get_by_role("status")).to_contain_text("bo.ek@harnosand.se kan bjudas in igen.")
    assert sorted(Suppression.objects.values_list("email", "reason")) == [
        ("asa.ostlund@sundsvall.se", "unsubscribed"),
        ("cecilia.lind@timra.se", "added"),
    ]


def test_someone_only_invited_sees_what_the_list_held_and_erases_it(page, site, event, mail_dir):
    when = stockholm(2029, 4, 20, 9)
    invitation_list = InvitationList.objects.create(
        organisation=event.organisation, event=event, name="Chefer i Sundsvall och Härnösand"
    )
    Invitee.objects.create(
        invitation_list=invitation_list,
        email="asa.ostlund@sundsvall.se",
        first_name="Åsa",
        last_name="Östlund",
        workplace="Sundsvalls kommun",
        job_title="Enhetschef",
        region="Västernorrland",
        membership="member",
        invited_at=when,
        opened_at=when,
        unsubscribed_at=when,
    )
    suppress(organisation=event.organisation, email="asa.ostlund@sundsvall.se", reason="unsubscribed")

    page.goto("/mina-uppgifter/")
    page.get_by_label("Din e-postadress").fill("asa.ostlund@sundsvall.se")
    page.get_by_role("button", name="Skicka länken till mig").click()
    [mail] = deliver_mail(mail_dir)
    link = re.search(re.escape(site) + r"/mina-uppgifter/[^/\s]+/", mail.get_body(("plain",)).get_content())
    page.goto(link.group(0))

    article = page.get_by_role("article", name="Inbjudningar")
    expect(article).to_contain_text("har dig på 1 inbjudningslista")
    article.get_by_text("Allt vi sparar om dig här").click()
    expect(article).to_contain_text("Chefer i Sundsvall och Härnösand")
    expect(article).to_contain_text("Medlem (enligt medlemsregistret)")
    expect(article).to_contain_text("Avregistrerad från inbjudningar")
    shoot(page, "self-service-invitations")
    article.get_by_role("button", name="Ta bort mig från inbjudningslistorna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ta bort dig från inbjudningslistorna?")
    expect(page.get_by_role("main")).to_contain_text("din e-postadress står kvar på spärrlistan")
    shoot(page, "self-service-invitations-erase")
    page.get_by_role("button", name="Ja, ta bort mig från listorna").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dina uppgifter är raderade")
    assert Invitee.objects.count() == 0
    assert list(Suppression.objects.values_list("email", "reason", "detail")) == [
        ("asa.ostlund@sundsvall.se", "unsubscribed", "")
    ]
