"""The back office's acceptance walk, in Swedish, as the people who use it would go:

the demo owner signs in with two-factor and invites an organiser, who accepts, sets up two-factor,
creates an event by pasting an invitation, publishes it, sees registrations arrive (table and
chart), exports CSV and XLSX, sends the venue the catering figures, moves the start by 30 minutes
(every attendee gets a calendar update with a higher SEQUENCE) and finally cancels (everyone told).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from frukost.events.models import Event
from tests.browser.conftest import deliver_mail, mail_to
from tests.browser.test_backoffice_events import calendar, register_through_the_public_page
from tests.browser.test_backoffice_members import _set_up_two_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVITATION = Path(__file__).resolve().parents[1] / "importer" / "data" / "chefsfrukost-konflikter.txt"
TITLE = "Chefsfrukost: Konflikter på arbetsplatsen"
ORGANISER = "ny.arrangor@example.se"
PASSWORD = "ett-eget-langt-losenord"
ATTENDEES = {"anna@example.se": "Anna", "bo@example.se": "Bo", "cilla@example.se": "Cilla"}


def _download(page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_owner_and_organiser_run_a_breakfast_from_invitation_to_cancellation(
    page, new_context, mail_dir, time_machine
):
    time_machine.move_to("2026-11-26 09:00:00+01:00", tick=True)
    output = StringIO()
    call_command("seed_demo", stdout=output)
    owner_email, owner_password = re.search(r"e-mail (\S+)\s+password (\S+)", output.getvalue()).groups()

    # The demo owner signs in: password, then two-factor set-up (required for owners).
    page.goto("/backoffice/")
    page.get_by_label("E-postadress").fill(owner_email)
    page.get_by_label("Lösenord").fill(owner_password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Slå på tvåstegsverifiering").click()
    _set_up_two_factor(page)
    expect(page.get_by_role("heading", name="Evenemang", exact=True)).to_be_visible()

    # … and invites an organiser.
    page.get_by_role("navigation", name="Organisation").get_by_role("link", name="Användare").click()
    page.get_by_role("link", name="Bjud in en användare").click()
    page.get_by_label("E-postadress").fill(ORGANISER)
    page.get_by_label("Arrangör: evenemang, anmälningar, utskick och exporter").check()
    page.get_by_role("button", name="Skicka inbjudan").click()
    [invitation] = mail_to(deliver_mail(mail_dir), ORGANISER)
    link = re.search(r"https?://\S+/backoffice/inbjudan/\S+/", invitation.get_body(("plain",)).get_content())

    # The organiser accepts in their own browser and sets up two-factor.
    organiser = new_context().new_page()
    organiser.goto(link.group(0))
    organiser.get_by_label("Välj ett lösenord").fill(PASSWORD)
    organiser.get_by_label("Samma lösenord igen").fill(PASSWORD)
    organiser.get_by_role("button", name="Tacka ja och skapa mitt konto").click()
    organiser.get_by_role("heading", name="Slå på tvåstegsverifiering").wait_for()
    _set_up_two_factor(organiser)

    # They paste an invitation text, check what was read, publish.
    organiser.get_by_role("link", name="Nytt evenemang från inbjudan").click()
    organiser.get_by_label("Inbjudans text").fill(INVITATION.read_text(encoding="utf-8"))
    organiser.get_by_label("Antal platser").fill("40")
    organiser.get_by_role("button", name="Läs in inbjudan").click()
    expect(organiser.get_by_label("Rubrik")).to_have_value(TITLE)
    organiser.get_by_role("button", name="Spara evenemanget").click()
    organiser.get_by_role("button", name="Publicera").click()
    expect(organiser.get_by_text("Evenemanget är publicerat")).to_be_visible()
    overview = organiser.url
    event = Event.objects.get(title=TITLE)
    assert (event.city, event.capacity, event.status) == ("Östersund", 40, "published")

    # People register on the public page; the organiser sees them in the table and the chart.
    for email, first in ATTENDEES.items():
        register_through_the_public_page(new_context, event.get_absolute_url(), first, email)
    confirmations = {email: mail_to(deliver_mail(mail_dir), email)[0] for email in ATTENDEES}
    organiser.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Anmälningar").click()
    for first in ATTENDEES.values():
        expect(organiser.get_by_role("link", name=f"Svensson, {first}")).to_be_visible()
    organiser.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Statistik").click()
    expect(organiser.locator("svg[role=img]").first).to_be_visible()
    organiser.get_by_text("Siffrorna per dag").click()
    today = organiser.locator("#table-per-day tbody tr").last
    assert today.locator("td").all_inner_texts() == ["3", "3"]  # new today, so far

    # Exports: CSV and XLSX. Ten minutes after signing in, the password is asked for again first.
    time_machine.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10), tick=True)
    organiser.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Export").click()
    export_page = organiser.url
    organiser.get_by_label("CSV (semikolonseparerad, för Excel)").check()
    organiser.get_by_role("button", name="Ladda ned").click()
    organiser.get_by_label("Lösenord").fill(PASSWORD)
    name, data = _download(organiser, "Verifiera")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert name.endswith(".csv")
    assert rows[0][:3] == ["Förnamn", "Efternamn", "E-post"]
    assert sorted(row[2] for row in rows[1:]) == sorted(ATTENDEES)
    organiser.goto(export_page)  # the password is fresh now: the next file comes at once
    organiser.get_by_label("Excel-arbetsbok (XLSX)").check()
    name, data = _download(organiser, "Ladda ned")
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert name.endswith(".xlsx")
    assert cells[0][:3] == ["Förnamn", "Efternamn", "E-post"]
    assert sorted(row[2] for row in cells[1:]) == sorted(ATTENDEES)

    # The venue gets the catering figures (counts, never names).
    organiser.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Förtäring").click()
    organiser.get_by_label("E-post till kontaktpersonen på lokalen").fill("kok@bishops.example")
    organiser.get_by_role("button", name="Spara").click()
    organiser.get_by_role("link", name="Skicka till lokalen").click()
    organiser.get_by_role("button", name="Skicka till lokalen").click()
    expect(organiser.get_by_text("Listan för förtäring är på väg till kok@bishops.example.")).to_be_visible()
    [catering] = mail_to(deliver_mail(mail_dir), "kok@bishops.example")
    catering_text = catering.get_body(("plain",)).get_content()
    assert "3" in catering_text
    assert [name for name in ATTENDEES.values() if name in catering_text] == []

    # The start moves by 30 minutes: everyone is told, with a newer calendar entry.
    organiser.goto(overview)
    organiser.get_by_role("link", name="Ändra", exact=True).click()
    organiser.get_by_label("Börjar").fill("2027-01-19T08:30")
    organiser.get_by_label("Slutar").fill("2027-01-19T10:00")
    organiser.get_by_role("button", name="Spara ändringar").click()
    expect(organiser.get_by_text("3 personer med plats och 0 på väntelistan får ett mejl")).to_be_visible()
    organiser.get_by_role("button", name="Spara och meddela alla").click()
    delivered = deliver_mail(mail_dir)
    for email in ATTENDEES:
        [update] = [m for m in mail_to(delivered, email) if m["Subject"].strip().startswith("Ny tid")]
        _method, before = calendar(confirmations[email])
        method, after = calendar(update)
        assert (method, str(after["uid"])) == ("PUBLISH", str(before["uid"]))
        assert after["sequence"] > before["sequence"]
        assert after.decoded("dtstart").strftime("%H:%M") == "08:30"

    # Cancelled: everyone is told, and their calendars drop the entry.
    organiser.goto(overview)
    organiser.get_by_role("link", name="Ställ in evenemanget").click()
    organiser.get_by_role("button", name="Ställ in och meddela alla").click()
    expect(organiser.get_by_text("Evenemanget är inställt.", exact=False)).to_be_visible()
    delivered = deliver_mail(mail_dir)
    for email in ATTENDEES:
        *_, cancellation = mail_to(delivered, email)
        method, entry = calendar(cancellation)
        assert (method, str(entry["status"])) == ("CANCEL", "CANCELLED")
