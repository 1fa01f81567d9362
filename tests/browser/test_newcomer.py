"""The newcomer's whole path, as a person walks it: find the event, register with a colleague,
the colleague confirms, the newcomer cancels, and the waiting list moves up."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from tests.browser.conftest import deliver_mail, mail_to, personal_link
from tests.browser.texts import TEXTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_language(page: Page, language: str) -> None:
    if language == "en":
        page.get_by_role("button", name="In English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def fill_registration(page: Page, texts: dict, *, first: str, last: str, email: str, colleague=None) -> None:
    page.get_by_label(texts["first_name"], exact=True).fill(first)
    page.get_by_label(texts["last_name"], exact=True).fill(last)
    page.get_by_label(texts["email"], exact=True).fill(email)
    page.get_by_label(texts["workplace"]).fill("Sundsvalls kommun")
    page.get_by_label(texts["job_title"]).fill("Enhetschef")
    page.get_by_label(texts["member"], exact=True).check()
    page.get_by_label(texts["vegetarian"], exact=True).check()
    if colleague:
        page.get_by_label(texts["colleague_first_name"]).fill(colleague[0])
        page.get_by_label(texts["colleague_last_name"]).fill(colleague[1])
        page.get_by_label(texts["colleague_email"]).fill(colleague[2])


@pytest.mark.parametrize("language", ["sv", "en"])
def test_newcomer_registers_colleague_confirms_newcomer_cancels_and_waiting_list_moves_up(
    page, new_context, site, event_factory, mail_dir, language
):
    texts = TEXTS[language]
    event = event_factory(capacity=2)  # the newcomer and the colleague fill it

    page.goto("/")
    choose_language(page, language)
    page.get_by_role("link", name=event.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    fill_registration(
        page,
        texts,
        first="Anna",
        last="Svensson",
        email="anna@example.se",
        colleague=("Bo", "Ek", "bo@example.se"),
    )
    page.get_by_role("button", name=texts["register"], exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(texts["thank_you"])
    # The page names no address (it came in a cookie readable on that computer): "the address you gave".
    expect(page.get_by_text("anna@example.se")).to_have_count(0)
    messages = deliver_mail(mail_dir)
    [to_anna] = mail_to(messages, "anna@example.se")
    [to_bo] = mail_to(messages, "bo@example.se")
    anna_link, bo_link = personal_link(to_anna, site), personal_link(to_bo, site)

    # Someone else finds the event full and joins the waiting list.
    third = new_context().new_page()
    third.goto(event.get_absolute_url())
    choose_language(third, language)
    fill_registration(third, texts, first="Cilla", last="Berg", email="cilla@example.se")
    third.get_by_role("button", name=texts["join_waiting_list"]).click()
    expect(third.get_by_role("heading", level=1)).to_have_text(texts["waiting_list"])

    # The colleague opens their own link and confirms, answering for themselves.
    colleague = new_context().new_page()
    colleague.goto(bo_link)
    choose_language(colleague, language)
    expect(colleague.get_by_role("heading", level=1)).to_have_text(texts["confirm_heading"])
    colleague.get_by_label(texts["member"], exact=True).check()
    colleague.get_by_role("button", name=texts["confirm"]).click()
    expect(colleague.get_by_role("status")).to_contain_text(texts["confirmed"])

    # The newcomer cannot come after all.
    page.goto(anna_link)
    page.get_by_role("link", name=texts["cancel_link"], exact=True).click()
    page.get_by_role("button", name=texts["cancel_button"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["cancelled"])

    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {
        "anna@example.se": Status.CANCELLED,
        "bo@example.se": Status.REGISTERED,
        "cilla@example.se": Status.WAITLISTED,  # offered the seat (the claim window)
    }
    assert Registration.objects.get(email="bo@example.se").is_confirmed
    later = deliver_mail(mail_dir)[len(messages) :]
    with translation.override(language):
        moved_up = gettext("A seat is free for you: %(title)s") % {"title": event.title}
    # Folded non-ASCII subjects parse with a leading space; mail clients strip it too.
    assert [m["Subject"].strip() for m in mail_to(later, "cilla@example.se")][-1] == moved_up
