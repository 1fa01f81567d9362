"""An organiser imports a member register as an invitation list: upload, check the preview, confirm."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.contacts.suppression import suppress
from frukost.invitations.models import InvitationList
from tests.browser.conftest import sign_in
from tests.invitations import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def _picture(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width, label in ((390, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_organiser_imports_the_member_register(page, staff_factory, event, organisation, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    suppress(organisation=organisation, email=files.member_rows()[1][3], reason="bounced")
    register_file = tmp_path / "medlemsregister.csv"
    files.member_register_csv(register_file)
    staff_factory("organiser", "julia@example.se")
    sign_in(page, "julia@example.se")

    page.goto(f"/backoffice/{organisation.slug}/evenemang/{event.pk}/")
    page.get_by_role("link", name="Inbjudningar", exact=True).click()
    _picture(page, "invitation-lists-empty")
    page.get_by_role("link", name="Importera lista").click()
    page.get_by_label("Medlemslistan").set_input_files(str(register_file))
    _picture(page, "invitation-upload")
    page.get_by_role("button", name="Ladda upp och förhandsgranska").click()

    expect(page.get_by_text("läst som UTF-8 med BOM")).to_be_visible()
    expect(page.get_by_role("link", name="Ny 46")).to_be_visible()
    _picture(page, "invitation-preview")
    page.get_by_role("link", name="Adressen fungerar inte 2").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    _picture(page, "invitation-preview-invalid")
    page.get_by_label("Listans namn").fill("Chefer i Sundsvall och Härnösand")
    page.get_by_role("button", name="Importera 46 personer").click()

    expect(page.get_by_text("46 personer är med på listan")).to_be_visible()
    _picture(page, "invitation-list")
    assert InvitationList.objects.get().invitees.count() == 46
    page.get_by_role("link", name="Inbjudningar", exact=True).first.click()
    _picture(page, "invitation-lists")
