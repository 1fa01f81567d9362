"""After the event, end to end: the organiser sends the thank-you, a non-member answers the
feedback form from the e-mail at phone size and says yes to being contacted, a member answers
without being asked, and the organiser reads the results and sees the lead.

Set FRUKOST_SCREENSHOTS=/some/dir to keep screenshots (the form at 390 px, the results at 1280).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frukost.checkin.attendance import close_attendance
from frukost.checkin.services import check_in
from frukost.contacts.models import Lead
from frukost.events.models import Event
from frukost.followup.models import Feedback
from frukost.registrations.services import register
from tests.browser.conftest import deliver_mail, mail_to, sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def feedback_link(message, site: str) -> str:
    text = message.get_body(("plain",)).get_content()
    (link,) = set(re.findall(re.escape(site) + r"/r/[^/\s]+/aterkoppling/", text))
    return link


def test_thank_you_feedback_and_lead_end_to_end(
    page, new_context, site, mail_dir, staff_factory, event_factory
):
    event = event_factory()
    people = {}
    for address, first, last, membership in [
        ("anna@example.se", "Anna", "Öberg", "member"),
        ("bo@example.se", "Bo", "Ek", "not_member"),
        ("cecilia@example.se", "Cecilia", "Ahl", "member"),
    ]:
        people[first] = register(
            event=event,
            person=make_person(address, first_name=first, last_name=last, membership=membership,
                               workplace="Sundsvalls kommun", job_title="Enhetschef"),
        ).registration  # fmt: skip
    for first in ("Anna", "Bo"):
        check_in(registration=people[first], actor=None, client_id=uuid.uuid4())
    # The breakfast was yesterday (the live server runs on the real clock; mails after the event
    # go once it is over).
    yesterday = timezone.now() - dt.timedelta(days=1)
    Event.objects.filter(pk=event.pk).update(
        starts_at=yesterday, ends_at=yesterday + dt.timedelta(hours=1, minutes=30), doors_at=None
    )
    event.refresh_from_db()
    close_attendance(event)
    deliver_mail(mail_dir)  # the confirmations

    staff_factory("organiser", "olle@example.se")
    sign_in(page, "olle@example.se")
    base = f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}"
    page.goto(f"{base}/")
    page.get_by_role("link", name="Efter frukosten").click()
    thanks_card = page.get_by_role("region", name="Tack, till dem som kom")
    expect(thanks_card.get_by_text("2 personer skulle få det nu.")).to_be_visible()
    shoot(page, "followup-1280")
    thanks_card.get_by_role("link", name="Skriv och förhandsgranska").click()
    assert page.get_by_label("Ämne", exact=True).input_value().startswith("Tack för att du kom")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="På engelska")).to_be_visible()
    shoot(page, "followup-preview-1280")
    page.get_by_role("button", name="Skicka till 2 personer").click()
    expect(page.get_by_text("Ditt mejl är på väg till 2 personer.")).to_be_visible()

    messages = deliver_mail(mail_dir)
    (to_bo,) = [m for m in mail_to(messages, "bo@example.se") if "Tack för att du kom" in m["Subject"]]
    (to_anna,) = [m for m in mail_to(messages, "anna@example.se") if "Tack för att du kom" in m["Subject"]]
    assert mail_to(messages, "cecilia@example.se") == [] or all(
        "Tack för att du kom" not in m["Subject"] for m in mail_to(messages, "cecilia@example.se")
    )
    if SHOTS:
        Path(SHOTS, "thanks-to-bo.eml").write_bytes(to_bo.as_bytes())
    text = to_bo.get_body(("plain",)).get_content()
    assert "Berätta vad du tyckte:" in text
    assert "Frukost serveras" not in text  # the event is over

    # Bo, not a member, answers on his phone from the e-mail.
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    phone.goto(feedback_link(to_bo, site))
    expect(phone.get_by_role("heading", name="Vad tyckte du?")).to_be_visible()
    phone.get_by_label("5 – mycket bra").check()
    phone.get_by_label("Vad var mest givande?").fill("Samtalet om tillit i praktiken")
    phone.get_by_label("Något mer du vill berätta för oss?").fill("Gärna en uppföljning i höst.")
    contact = phone.get_by_label("Ja, Akademikerförbundet SSR får kontakta mig")
    assert not contact.is_checked()  # never pre-ticked
    contact.check()
    shoot(phone, "feedback-form-390")
    phone.get_by_role("button", name="Skicka").click()
    expect(phone.get_by_role("heading", name="Tack för din återkoppling")).to_be_visible()

    # Anna, a member, is never asked.
    member = new_context(viewport={"width": 390, "height": 844}).new_page()
    member.goto(feedback_link(to_anna, site))
    assert member.get_by_text("Får Akademikerförbundet SSR kontakta dig?").count() == 0
    member.get_by_label("4", exact=True).check()
    member.get_by_label("Ja, ni får visa mitt namn med min kommentar").check()
    member.get_by_label("Något mer du vill berätta för oss?").fill("Bra föreläsare!")
    member.get_by_role("button", name="Skicka").click()
    expect(member.get_by_role("heading", name="Tack för din återkoppling")).to_be_visible()

    assert sorted(Feedback.objects.values_list("rating", "contact_consent")) == [(4, None), (5, True)]
    lead = Lead.objects.get()
    assert (lead.email, lead.kind) == ("bo@example.se", "not_member")

    # The organiser reads the results.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/")
    page.get_by_role("link", name="Återkoppling").click()
    expect(page.get_by_text("2 av 2 svarade")).to_be_visible()
    expect(page.get_by_role("img", name="Betyg, 5 är bäst")).to_be_visible()
    expect(page.get_by_text("Anna Öberg")).to_be_visible()  # she agreed
    assert page.get_by_text("Bo Ek").count() == 0  # he did not
    shoot(page, "feedback-results-1280")

    # And the lead is on the leads page.
    page.goto(f"/backoffice/{event.organisation.slug}/intresserade/")
    expect(page.get_by_text("bo@example.se").first).to_be_visible()
