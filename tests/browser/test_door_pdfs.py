"""Door staff print the door list and the name badges from the door list page, on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from frukost.registrations.services import register
from tests.browser.conftest import sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_door_staff_download_the_door_list_and_badges_from_the_door_list_page(
    new_context, staff_factory, event_factory, tmp_path
):
    event = event_factory()
    register(event=event, person=make_person("asa@example.se", first_name="Åsa", last_name="Öström"))
    door = staff_factory("door", events=[event])
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, door.email, two_factor=False)
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/")
    page.screenshot(path=str(tmp_path / "door-390.png"), full_page=True)

    files = {}
    for link in ("Entrélista att skriva ut (PDF)", "Namnbrickor (PDF)"):
        with page.expect_download() as info:
            page.get_by_role("link", name=link).click()
        files[info.value.suggested_filename] = Path(info.value.path()).read_bytes()

    assert sorted(files) == [f"dorrlista-{event.slug}.pdf", f"namnbrickor-{event.slug}.pdf"]
    assert all(content.startswith(b"%PDF-") for content in files.values())
