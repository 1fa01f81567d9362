"""Issue 9's acceptance walk, in a real browser: a member register's 50-row CSV (a BOM, semicolons,
two addresses that do not work, one address twice) imported, previewed and confirmed; the
invitation written, previewed and sent; the worker sends it; one invitee registers through their
invitation with the form filled in, one declines, one unsubscribes; the clock runs to the reminder
day and the reminder goes only to the 47 − 3 who have not answered; the funnel shows it all."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from frukost.contacts.models import Suppression
from frukost.events.models import STOCKHOLM
from frukost.invitations.models import InvitationList, Invitee
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import Registration
from tests.browser.conftest import sign_in
from tests.conftest import read_eml_files
from tests.invitations import files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")
SUBJECT = "Välkommen på chefsfrukost i Sundsvall"
REMINDER = "Påminnelse: Chefsfrukost: Leda med tillit"


def _picture(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width, label in ((390, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _run_worker() -> None:
    """The worker's rounds until the outbox has nothing queued (bulk goes a batch per round)."""
    for _ in range(10):
        call_command("worker", once=True)
        if not OutboxMessage.objects.filter(status=MessageStatus.QUEUED).exists():
            return
    raise AssertionError("the worker did not empty the outbox")


def _mails(mail_dir, subject: str):
    return [m for m in read_eml_files(mail_dir) if m["Subject"] == subject]


def _link(message, site: str, suffix: str = "") -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(re.escape(site) + r"/i/[A-Za-z0-9_-]{32}/" + re.escape(suffix), text).group(0)


def test_from_the_member_register_to_a_full_room(
    page, new_context, site, staff_factory, event, organisation, tmp_path, settings, mail_dir, time_machine
):
    settings.DATA_DIR = tmp_path
    register_file = tmp_path / "medlemsregister.csv"
    files.member_register_csv(register_file)
    staff_factory("organiser", "julia@example.se")
    sign_in(page, "julia@example.se")

    # Import: the preview says what happens to every row; nothing is saved until confirmed.
    page.goto(f"/backoffice/{organisation.slug}/evenemang/{event.pk}/")
    page.get_by_role("link", name="Inbjudningar", exact=True).click()
    page.get_by_role("link", name="Importera lista").click()
    page.get_by_label("Medlemslistan").set_input_files(str(register_file))
    page.get_by_role("button", name="Ladda upp och förhandsgranska").click()
    expect(page.get_by_text("läst som UTF-8 med BOM")).to_be_visible()
    expect(page.get_by_role("link", name="Ny 47")).to_be_visible()
    expect(page.get_by_role("link", name="Adressen fungerar inte 2")).to_be_visible()
    expect(page.get_by_role("link", name="Två gånger i filen 1")).to_be_visible()
    assert not InvitationList.objects.exists()
    page.get_by_label("Listans namn").fill("Chefer i Sundsvall och Härnösand")
    page.get_by_role("button", name="Importera 47 personer").click()
    expect(page.get_by_text("47 personer är med på listan")).to_be_visible()

    # Write, preview in both languages, send.
    page.get_by_role("link", name="Skriv och skicka inbjudan").click()
    page.get_by_label("Ämne", exact=True).fill(SUBJECT)
    page.get_by_label("Meddelande", exact=True).fill("Vi bjuder på frukost och ett samtal om tillit.")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_text("Inbjudan går till 47 personer.")).to_be_visible()
    expect(page.get_by_role("heading", name="På engelska")).to_be_visible()
    _picture(page, "invitation-send-preview")
    page.get_by_role("button", name="Skicka till 47 personer").click()
    expect(page.get_by_text("0 av 47 skickade")).to_be_visible()

    _run_worker()
    page.reload()
    expect(page.get_by_text("47 av 47 skickade")).to_be_visible()
    invitations = _mails(mail_dir, SUBJECT)
    assert len(invitations) == 47
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in invitations)
    first, second, third = (invitations[n] for n in (0, 1, 2))

    # One registers through their invitation, the form filled in from the list.
    person = new_context().new_page()
    person.goto(_link(first, site))
    expect(person.get_by_text("du är inbjuden!")).to_be_visible()
    expect(person.get_by_label("E-post", exact=True)).to_have_value(first["To"])
    expect(person.get_by_label("Arbetsplats")).not_to_have_value("")
    person.get_by_label("Ja, jag är medlem").check()
    _picture(person, "invitation-form")
    person.get_by_role("button", name="Anmäl dig").click()
    expect(person.get_by_role("heading", name="Tack för din anmälan!")).to_be_visible()
    registration = Registration.objects.get(email=first["To"])
    assert Invitee.objects.get(email=first["To"]).registration == registration

    # One declines (the page asks first), one unsubscribes.
    other = new_context().new_page()
    other.goto(_link(second, site, "kan-inte-komma/"))
    other.get_by_role("button", name="Jag kan inte komma").click()
    expect(other.get_by_role("heading", name="Tack för att du sa till")).to_be_visible()
    third_person = new_context().new_page()
    third_person.goto(str(third["List-Unsubscribe"]).strip().strip("<>"))
    third_person.get_by_role("button", name="Avregistrera mig").click()
    expect(third_person.get_by_role("heading", name="Du är avregistrerad")).to_be_visible()
    assert Suppression.objects.get().email == third["To"]

    # The funnel on the list page.
    page.reload()
    funnel = page.locator(".bo-funnel__table")
    expect(funnel.get_by_role("row", name=re.compile(r"^Inbjudna 47"))).to_be_visible()
    expect(funnel.get_by_role("row", name=re.compile(r"^Öppnade inbjudningssidan 2"))).to_be_visible()
    expect(funnel.get_by_role("row", name=re.compile(r"^Anmälda, med plats 1"))).to_be_visible()
    expect(funnel.get_by_role("row", name=re.compile(r"^Tackade nej 1"))).to_be_visible()
    expect(funnel.get_by_role("row", name=re.compile(r"^Avregistrerade 1"))).to_be_visible()
    expect(funnel.get_by_role("row", name=re.compile(r"^Inget svar 44"))).to_be_visible()
    _picture(page, "invitation-list-funnel")

    # The reminder day: three days before the deadline (1 May 2029), at nine in Stockholm.
    time_machine.move_to(dt.datetime(2029, 4, 28, 9, 0, tzinfo=STOCKHOLM), tick=True)
    _run_worker()
    reminders = _mails(mail_dir, REMINDER)
    assert len(reminders) == 44
    reminded = {m["To"] for m in reminders}
    assert not reminded & {first["To"], second["To"], third["To"]}
    assert OutboxMessage.objects.filter(kind=MailKind.INVITATION_REMINDER).count() == 44
    _run_worker()  # and once only
    assert len(_mails(mail_dir, REMINDER)) == 44
