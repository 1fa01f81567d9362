"""The door on a phone when the Wi-Fi comes and goes: check in by name and by scanning the QR code
from the confirmation e-mail with the camera (Chromium's fake camera plays a video made from the
e-mail's image), go offline, check in three more, come back and sync; a second phone agrees.
Two phones offline checking in the same person: one check-in, the second phone is told."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from frukost.checkin.models import CheckIn
from frukost.core.formats import clock
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, deliver_mail, mail_to, sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")
PHONE = {"width": 390, "height": 844}
PEOPLE = [("Åsa", "Öberg"), ("Bo", "Ek"), ("Cilla", "Berg"), ("Dan", "Ahl"), ("Eva", "Lund"), ("Fia", "Nord")]


def write_y4m(png: bytes, path: Path, *, width=640, height=480, frames=10) -> None:
    """A YUV4MPEG2 (4:2:0) video of the QR image on white, which Chromium's fake camera loops."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    size = min(width, height) - 80
    qr = qr.resize((size, size), Image.Resampling.NEAREST)
    canvas = Image.new("L", (width, height), 255)
    canvas.paste(qr, ((width - size) // 2, (height - size) // 2))
    y, u, v = canvas.convert("RGB").convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = b"FRAME\n" + y.tobytes() + u.resize(half).tobytes() + v.resize(half).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


def watch(page) -> list[str]:
    """Script errors and console errors (a CSP violation) on the page; offline fetches fail by design."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and "ERR_INTERNET_DISCONNECTED" not in message.text
            else None
        ),
    )
    return errors


def door_url(event) -> str:
    return f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/"


def wait_for_the_list(page) -> None:
    """Until door.js holds the door list in localStorage (polled from here: Playwright's
    wait_for_function evaluates strings, which the page's CSP forbids)."""
    for _ in range(100):
        if page.evaluate("Object.keys(localStorage).some(k => k.endsWith('.list'))"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("door.js did not store the door list")


def tap_check_in(page, name: str) -> None:
    # door.js filters as one types; a search typed before it has started would filter nothing, so
    # wait until it holds the list (it has started), then until the search has left one person.
    wait_for_the_list(page)
    search = page.get_by_label("Sök ett namn")
    search.fill(name)
    rows = page.locator(".bo-door-rows tr:visible")
    for _ in range(50):
        if rows.count() == 1:
            break
        page.wait_for_timeout(100)
    else:
        search.dispatch_event("input")  # typed while door.js redrew the rows: ask again
    expect(rows).to_have_count(1)
    rows.get_by_role("button", name="Checka in", exact=True).click()


def shot(page, name: str, *, top: bool = True) -> None:
    if SCREENSHOTS:
        if top:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=False)


def test_door_phone_scans_goes_offline_and_syncs(
    browser, new_context, site, mail_dir, tmp_path, staff_factory, event_factory
):
    soon = timezone.localtime() + dt.timedelta(hours=1)  # today's breakfast
    event = event_factory(capacity=10, starts_at=soon, ends_at=soon + dt.timedelta(hours=2), doors_at=None)
    event_factory(title="Chefsfrukost i Härnösand")  # another event the door staff are not given
    for first, last in PEOPLE:
        register(
            event=event, person=make_person(f"{first.lower()}@example.se", first_name=first, last_name=last)
        )
    [confirmation] = mail_to(deliver_mail(mail_dir), "bo@example.se")
    [qr] = [part for part in confirmation.walk() if part.get_content_type() == "image/png"]
    video = tmp_path / "qr.y4m"
    write_y4m(qr.get_content(), video)
    staff_factory("door", "door@example.se", events=[event], two_factor=False)
    staff_factory("door", "door2@example.se", events=[event], two_factor=False)

    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            base_url=site, locale="sv-SE", viewport=PHONE, reduced_motion="reduce", permissions=["camera"]
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors = watch(page)
        sign_in(page, "door@example.se", two_factor=False)
        page.get_by_role("link", name=event.title).click()  # the events they were given: this one
        expect(page.get_by_role("heading", name="Entrélista")).to_be_visible()
        assert page.url.endswith(door_url(event))

        tap_check_in(page, "asa")  # by name
        expect(page.locator(".bo-messages")).to_contain_text("Åsa Öberg checkades in kl.")
        page.get_by_label("Sök ett namn").fill("")
        shot(page, "door-online-phone.png")

        page.get_by_role("button", name="Skanna med kameran").click()  # the QR from Bo's e-mail
        expect(page.locator(".bo-door-result")).to_contain_text("Bo Ek checkades in kl.")
        shot(page, "door-scanning-phone.png", top=False)
        page.get_by_role("button", name="Stäng av kameran").click()
        expect(page.get_by_role("button", name="Skanna med kameran")).to_be_visible()

        page.get_by_label("Sök ett namn").fill("ek")
        page.locator(".bo-door-rows tr:visible").get_by_role("button", name="Bok utlämnad").click()
        expect(page.locator(".bo-door-counts")).to_contain_text("Böcker1")

        page.get_by_role("link", name="Lägg till på plats").click()  # someone who never registered
        page.get_by_label("Förnamn").fill("Gun")
        page.get_by_label("Efternamn").fill("Åkesson")
        page.get_by_label("Arbetsplats").fill("Timrå kommun")
        page.get_by_role("button", name="Lägg till och checka in").click()
        expect(page.locator(".bo-messages")).to_contain_text("Gun Åkesson tillagd och incheckad kl.")
        expect(page.locator(".bo-door-counts")).to_contain_text("Tillagda på plats1")
        expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit3 / 7")
        wait_for_the_list(page)

        context.set_offline(True)
        for name in ("cilla", "dan", "eva"):
            tap_check_in(page, name)
            expect(page.locator(".bo-door-result")).to_contain_text("Incheckad:")
        expect(page.locator(".bo-door-sync")).to_have_text("Ingen anslutning – 3 incheckningar väntar")
        expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit6 / 7")
        expect(page.get_by_role("link", name="Lägg till på plats")).to_be_hidden()  # it needs the server
        expect(page.get_by_text("För att lägga till någon på plats behövs nätet")).to_be_visible()
        page.get_by_label("Sök ett namn").fill("")
        shot(page, "door-offline-phone.png")
        assert CheckIn.objects.count() == 3  # nothing reached the server yet (two and the walk-in)

        context.set_offline(False)
        expect(page.locator(".bo-door-sync")).to_contain_text("allt är synkat")
        expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit6 / 7")
        expect(page.get_by_role("link", name="Lägg till på plats")).to_be_visible()
        arrived = {r.first_name for r in Registration.objects.filter(check_in__isnull=False)}
        assert arrived == {"Åsa", "Bo", "Gun", "Cilla", "Dan", "Eva"}
        assert page.evaluate("Object.keys(localStorage).filter(k => k.endsWith('.queue'))").__len__() == 1
        assert (
            page.evaluate(
                "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith('.queue'))))"
            )
            == []
        )
        stored = page.evaluate(
            "localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith('.list')))"
        )
        for secret in ("member", "diet", "@example.se"):
            assert secret not in stored, secret

        second = new_context(viewport=PHONE).new_page()  # the other phone at the door
        sign_in(second, "door2@example.se", two_factor=False)
        second.goto(door_url(event))
        expect(second.locator(".bo-door-counts")).to_contain_text("Har kommit6 / 7")
        expect(second.locator(".bo-door-counts")).to_contain_text("Böcker1")
        expect(second.locator(".bo-door-counts")).to_contain_text("Tillagda på plats1")
        expect(second.locator(".bo-door-rows tr", has_text="Åkesson")).to_contain_text("På plats")

        page.locator("details.bo-usermenu summary").click()
        page.get_by_role("button", name="Logga ut").click()
        page.wait_for_load_state()
        assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('frukost.door.'))") == []
        assert errors == []
    finally:
        camera_browser.close()


def test_two_phones_offline_checking_in_the_same_person_give_one_check_in(
    new_context, staff_factory, event_factory
):
    event = event_factory()
    register(event=event, person=make_person("anna@example.se"))
    register(event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek"))
    phones = []
    for email in ("door@example.se", "door2@example.se"):
        staff_factory("door", email, events=[event], two_factor=False)
        context = new_context(viewport=PHONE)
        page = context.new_page()
        sign_in(page, email, two_factor=False)
        page.goto(door_url(event))
        expect(page.locator(".bo-door-rows tr")).to_have_count(2)
        wait_for_the_list(page)
        phones.append((context, page, watch(page)))

    for context, page, _ in phones:
        context.set_offline(True)
        tap_check_in(page, "anna")
        expect(page.locator(".bo-door-sync")).to_have_text("Ingen anslutning – 1 incheckning väntar")

    (first, first_page, _), (second, second_page, _) = phones
    first.set_offline(False)
    expect(first_page.locator(".bo-door-sync")).to_contain_text("allt är synkat")
    second.set_offline(False)
    expect(second_page.locator(".bo-door-sync")).to_contain_text("Synkat. Titta på de här:")
    first_time = clock(CheckIn.objects.get().checked_in_at, "sv")
    expect(second_page.locator(".bo-door-sync li")).to_have_text(
        [f"Anna Svensson var redan incheckad kl. {first_time} (annan enhet)."]
    )
    expect(second_page.locator(".bo-door-counts")).to_contain_text("Har kommit1 / 2")
    assert CheckIn.objects.count() == 1
    assert [errors for _, _, errors in phones] == [[], []]


def test_a_camera_that_may_not_be_used_says_so_and_the_code_field_still_works(
    page, staff_factory, event_factory
):
    event = event_factory()
    register(event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek"))
    staff_factory("door", "door@example.se", events=[event], two_factor=False)
    page.set_viewport_size(PHONE)
    sign_in(page, "door@example.se", two_factor=False)
    page.goto(door_url(event))

    page.get_by_role("button", name="Skanna med kameran").click()  # no permission given in this browser

    expect(page.locator(".bo-door-result")).to_have_text(
        re.compile("Kameran får inte användas|Ingen kamera hittades")
    )
    expect(page.get_by_label("Skriv eller skanna koden")).to_be_editable()


def test_a_tap_whose_request_fails_is_kept_and_synced_as_the_same_tap(page, staff_factory, event_factory):
    """Wi-Fi that says it is up but carries nothing: the fetch fails, the tap waits on the phone
    under the id the page gave it, and the sync does not call it another device's."""
    event = event_factory()
    register(event=event, person=make_person("anna@example.se"))
    staff_factory("door", "door@example.se", events=[event], two_factor=False)
    page.set_viewport_size(PHONE)
    sign_in(page, "door@example.se", two_factor=False)
    page.goto(door_url(event))
    wait_for_the_list(page)
    page.route("**/checkin/", lambda route: route.abort("internetdisconnected"))

    tap_check_in(page, "anna")

    expect(page.locator(".bo-door-sync")).to_have_text("Ingen anslutning – 1 incheckning väntar")
    expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit1 / 1")
    page.unroute("**/checkin/")
    page.context.set_offline(True)
    page.context.set_offline(False)
    expect(page.locator(".bo-door-sync")).to_contain_text("allt är synkat")
    assert CheckIn.objects.count() == 1


def test_a_door_list_older_than_a_day_leaves_the_phone_on_any_page(new_context, event_factory):
    """A volunteer who just closed the tab: the next page of the site the phone opens removes a
    held list older than a day (names and workplaces), and leaves a fresh one and queued taps."""
    event = event_factory()
    page = new_context(viewport=PHONE).new_page()
    page.goto(event.get_absolute_url())
    page.evaluate(
        """() => {
            const day = 24 * 60 * 60 * 1000;
            const old = JSON.stringify({savedAt: Date.now() - 2 * day, list: {}});
            localStorage.setItem("frukost.door.7.1.list", old);
            localStorage.setItem("frukost.door.7.2.list", JSON.stringify({savedAt: Date.now(), list: {}}));
            localStorage.setItem("frukost.door.7.1.queue", "[]");
        }"""
    )

    page.reload()

    assert sorted(page.evaluate("Object.keys(localStorage)")) == [
        "frukost.door.7.1.queue",
        "frukost.door.7.2.list",
    ]
