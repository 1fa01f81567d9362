"""Each kind of e-mail, in the registrant's language, with the event's facts, a link and a calendar."""

from __future__ import annotations

import icalendar
import pytest
from django.test import Client

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    cancel_registration,
    register,
    remind_unconfirmed_colleagues,
    take_offered_seat,
)
from tests.conftest import worker_keeps_up
from tests.mail.conftest import messages, personal_link

TITLE = "Chefsfrukost: Leda med tillit"

EXPECTED = {
    "sv": {
        "facts": "Onsdag 16 maj 2029, kl. 08.00–09.30",
        "doors": "Frukost serveras från kl. 07.30.",
        "hold": "måndag 23 april 2029 kl. 10.00",
        "greeting": {"anna": "Hej Anna!", "bo": "Hej Bo!", "cilla": "Hej Cilla!"},
        "subjects": {
            MailKind.CONFIRMATION: f"Du är anmäld: {TITLE}",
            MailKind.COLLEAGUE_INVITATION: f"Anna Svensson har anmält dig till {TITLE}",
            MailKind.WAITLISTED: f"Du står på väntelistan: {TITLE}",
            MailKind.COLLEAGUE_REMINDER: f"Påminnelse: bekräfta din plats på {TITLE}",
            MailKind.CANCELLATION: f"Avanmälan bekräftad: {TITLE}",
            MailKind.SEAT_OFFERED: f"En plats är ledig för dig: {TITLE}",
            MailKind.PROMOTED: f"Du har fått en plats på {TITLE}",
        },
        "invited_by": f"Anna Svensson har anmält dig till {TITLE}.",
        "privacy": "Integritetspolicy: http://testserver/akademikerforbundet-ssr/integritet/",
    },
    "en": {
        "facts": "Wednesday 16 May 2029, 08:00–09:30",
        "doors": "Breakfast is served from 07:30.",
        "hold": "Monday 23 April 2029 at 10:00",
        "greeting": {"anna": "Hello Anna,", "bo": "Hello Bo,", "cilla": "Hello Cilla,"},
        "subjects": {
            MailKind.CONFIRMATION: f"You are registered: {TITLE}",
            MailKind.COLLEAGUE_INVITATION: f"Anna Svensson has registered you: {TITLE}",
            MailKind.WAITLISTED: f"You are on the waiting list: {TITLE}",
            MailKind.COLLEAGUE_REMINDER: f"Reminder: confirm your seat at {TITLE}",
            MailKind.CANCELLATION: f"Cancellation confirmed: {TITLE}",
            MailKind.SEAT_OFFERED: f"A seat is free for you: {TITLE}",
            MailKind.PROMOTED: f"You have a seat: {TITLE}",
        },
        "invited_by": f"Anna Svensson has registered you for {TITLE}.",
        "privacy": "Privacy notice: http://testserver/akademikerforbundet-ssr/integritet/",
    },
}

RECIPIENTS = {
    MailKind.CONFIRMATION: "anna",
    MailKind.COLLEAGUE_INVITATION: "bo",
    MailKind.WAITLISTED: "cilla",
    MailKind.COLLEAGUE_REMINDER: "bo",
    MailKind.CANCELLATION: "anna",
    MailKind.SEAT_OFFERED: "cilla",
    MailKind.PROMOTED: "cilla",
}


@pytest.fixture
def every_kind(event_factory, person, colleague, frozen):
    """Anna registers with Bo and fills the event; Cilla queues; Bo is reminded; Anna cancels;
    Cilla is offered the seat and takes it."""

    def run(language: str) -> dict[str, OutboxMessage]:
        event = event_factory(capacity=2)
        frozen("2029-04-20 10:00")
        register(
            event=event,
            person=person("anna@example.se", language=language),
            colleagues=[colleague("bo@example.se")],
        )
        register(event=event, person=person("cilla@example.se", first_name="Cilla", language=language))
        worker_keeps_up()
        frozen("2029-04-21 22:00")
        remind_unconfirmed_colleagues()
        worker_keeps_up()
        frozen("2029-04-22 09:00")
        cancel_registration(registration=Registration.objects.get(email="anna@example.se"))
        worker_keeps_up()
        take_offered_seat(registration=Registration.objects.get(email="cilla@example.se"))
        sent = messages()
        assert sorted(m.kind for m in sent) == sorted(RECIPIENTS)
        return {m.kind: m for m in sent}

    return run


@pytest.mark.parametrize("language", ["sv", "en"])
def test_notifications_subject_and_recipient_per_kind(every_kind, language):
    by_kind = every_kind(language)

    assert {kind: m.subject for kind, m in by_kind.items()} == EXPECTED[language]["subjects"]
    assert {kind: m.to for kind, m in by_kind.items()} == {
        kind: f"{name}@example.se" for kind, name in RECIPIENTS.items()
    }
    assert {m.reply_to for m in by_kind.values()} == {"julia.walbrink@akademssr.se"}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_notifications_carry_event_facts_in_text_and_html(every_kind, language):
    expected = EXPECTED[language]

    for kind, message in every_kind(language).items():
        greeting = expected["greeting"][RECIPIENTS[kind]]
        for body in (message.body_text, message.body_html):
            assert TITLE in body, kind
            assert expected["facts"] in body, kind
            assert expected["doors"] in body, kind
            assert greeting in body, kind
            assert "Scandic Sundsvall City, Trädgårdsgatan 31-33, Sundsvall" in body, kind
        assert f'<html lang="{language}">' in message.body_html
        assert expected["privacy"] in message.body_text


@pytest.mark.parametrize("language", ["sv", "en"])
def test_notifications_personal_link_resolves(every_kind, language):
    by_kind = every_kind(language)
    client = Client()

    for kind, message in by_kind.items():
        if kind == MailKind.CANCELLATION:
            continue
        # The offer's button opens the personal link's offer page (public:registration-offer).
        link = personal_link(message.body_text) + ("plats/" if kind == MailKind.SEAT_OFFERED else "")
        assert f'href="http://testserver{link}"' in message.body_html, kind
        response = client.get(link)
        assert response.status_code == 200, kind
        assert response.context["registration"].email == message.to


@pytest.mark.parametrize("language", ["sv", "en"])
def test_cancellation_receipt_links_event_page(every_kind, language):
    message = every_kind(language)[MailKind.CANCELLATION]

    assert "/r/" not in message.body_text + message.body_html + message.ics
    response = Client().get("/akademikerforbundet-ssr/" + message.registration.event.slug + "/")
    assert response.status_code == 200
    assert f"http://testserver{message.registration.event.get_absolute_url()}" in message.body_text


@pytest.mark.parametrize("language", ["sv", "en"])
def test_notifications_attach_calendar_with_the_public_link_never_the_personal_one(every_kind, language):
    """Calendars sync and share their entries: the personal link stays in the e-mail."""
    for kind, message in every_kind(language).items():
        [entry] = icalendar.Calendar.from_ical(message.ics).walk("VEVENT")
        assert str(entry["SUMMARY"]) == TITLE, kind
        description = str(entry["DESCRIPTION"])
        assert description.startswith(EXPECTED[language]["doors"] + "\n"), kind
        assert description.endswith("http://testserver" + message.registration.event.get_absolute_url()), kind
        assert "/r/" not in message.ics, kind


@pytest.mark.parametrize("language", ["sv", "en"])
def test_colleague_invitation_names_inviter_hold_and_privacy_notice(every_kind, language):
    message = every_kind(language)[MailKind.COLLEAGUE_INVITATION]
    expected = EXPECTED[language]

    assert expected["invited_by"] in message.body_text
    assert expected["hold"] in message.body_text
    assert 'href="http://testserver/akademikerforbundet-ssr/integritet/"' in message.body_html
    assert Client().get("/akademikerforbundet-ssr/integritet/").status_code == 200


@pytest.mark.parametrize("language", ["sv", "en"])
def test_colleague_reminder_says_until_when(every_kind, language):
    message = every_kind(language)[MailKind.COLLEAGUE_REMINDER]

    assert EXPECTED[language]["hold"] in message.body_text
    assert EXPECTED[language]["hold"] in message.body_html


def test_waitlist_notice_subject_is_swedish_by_default(event_factory, person):
    event = event_factory(capacity=0)

    register(event=event, person=person("bo@example.se"))

    assert [m.subject for m in messages(to="bo@example.se")] == [
        "Du står på väntelistan: Chefsfrukost: Leda med tillit"
    ]
