from __future__ import annotations

import datetime as dt

import pytest

from frukost.importer.parse import parse_invitation
from tests.importer.cases import CASES
from tests.importer.conftest import TODAY


@pytest.mark.parametrize("name", list(CASES))
def test_parse_invitation_reads_case(name, english):
    text, expected = CASES[name]

    found = parse_invitation(text, today=TODAY).as_json()

    assert {key: found[key] for key in expected} == expected


def test_parse_invitation_has_many_cases():
    assert len(CASES) >= 25


def test_parse_invitation_reads_seed_text_parts(seed_text):
    draft = parse_invitation(seed_text, today=TODAY)

    assert draft.host_role == "chefsstrateg på Akademikerförbundet SSR"
    assert draft.lead.startswith("Allt fler pratar om tillit")
    assert draft.lead.endswith("ökat utrymme för professionen.")
    assert len(draft.body.split("\n\n")) == 4
    assert draft.body.startswith("Under många år har detaljregleringen ökat")
    assert draft.body.endswith("hur det fungerar i våra organisationer.")
    assert draft.questions == [
        "Hur ser det ut i din verksmahet, vilka förutsättningar har du och dina medarbetare att arbeta mer "
        "tillitsbaserat?",
        "Krävs det ett annat ledarskap och ett annat medarbetarskap?",
        "Kan vi ta till vara erfarenhet och kompetens på ett bättre sätt med mer tillit?",
        "Har politiken tillit till professionen?",
    ]
    assert draft.gift == "boken Leda med tillit"
    assert draft.city == "Sundsvall"
    assert draft.online is False


def test_parse_invitation_keeps_facts_out_of_the_body(seed_text):
    draft = parse_invitation(seed_text, today=TODAY)

    for fact in ["Datum och tid", "Kl. 08:00", "Trädgårdsgatan", "Anmäl dig", "Kontakta", "Varmt välkommen"]:
        assert fact not in draft.lead + draft.body


def test_parse_invitation_year_follows_the_written_weekday(seed_text, english):
    draft = parse_invitation(seed_text, today=TODAY)

    assert draft.starts_at.date() == dt.date(2029, 5, 16)
    assert draft.warnings[0] == (
        "The invitation gives no year for the event; 2029-05-16 was assumed. Check the year."
    )


def test_parse_invitation_without_weekday_takes_next_occurrence():
    later_this_year = parse_invitation("Frukost\n\nDatum: 30 november kl. 8–9", today=TODAY)
    next_year = parse_invitation("Frukost\n\nDatum: 20 november kl. 8–9", today=TODAY)
    today = parse_invitation("Frukost\n\nDatum: torsdag 26 november kl. 8–9", today=TODAY)

    assert later_this_year.starts_at.date() == dt.date(2026, 11, 30)
    assert next_year.starts_at.date() == dt.date(2027, 11, 20)
    assert today.starts_at.date() == TODAY


def test_parse_invitation_yearless_deadline_is_latest_before_event():
    draft = parse_invitation(
        "Frukost\n\nOnsdag 13 januari 2027 kl. 8–9\nAnmäl dig senast 20 december.", today=TODAY
    )

    assert draft.registration_deadline == dt.date(2026, 12, 20)


def test_parse_invitation_warns_when_weekday_contradicts_date(english):
    draft = parse_invitation("Frukost\n\nMåndag 16 maj 2029 kl. 8–9.30", today=TODAY)

    assert draft.starts_at.date() == dt.date(2029, 5, 16)
    assert draft.warnings == [
        "The invitation says Monday, but 2029-05-16 is a Wednesday. Check the date.",
        "No host (who leads the conversation) found.",
        "No venue found.",
        "No street address found.",
        "No city found.",
        "No registration deadline found.",
        "No contact person found.",
        "No contact e-mail found.",
    ]


def test_parse_invitation_warns_when_deadline_is_after_event(english):
    text, _ = CASES["deadline-after-event"]

    draft = parse_invitation(text, today=TODAY)

    assert draft.warnings == [
        "No host (who leads the conversation) found.",
        "No contact person found.",
        "No contact e-mail found.",
        "The registration deadline 2027-03-20 is after the event (2027-03-11).",
    ]


def test_parse_invitation_says_what_is_missing(english):
    draft = parse_invitation("Hej!\n\nTack för senast.\n", today=TODAY)

    assert draft.warnings == [
        "No date or time found for the event.",
        "No host (who leads the conversation) found.",
        "No venue found.",
        "No street address found.",
        "No city found.",
        "No registration deadline found.",
        "No contact person found.",
        "No contact e-mail found.",
    ]


def test_parse_invitation_never_invents_an_end_time(english):
    text, _ = CASES["single-start-time-only"]

    draft = parse_invitation(text, today=TODAY)

    assert draft.ends_at is None
    assert draft.warnings == [
        "No end time found.",
        "No host (who leads the conversation) found.",
        "No registration deadline found.",
        "No contact person found.",
        "No contact e-mail found.",
    ]


def test_parse_invitation_online_event_needs_no_address(english):
    text, _ = CASES["online-zoom-with-link"]

    draft = parse_invitation(text, today=TODAY)

    assert draft.online_url == "https://zoom.us/j/123456789"
    assert draft.warnings == ["No host (who leads the conversation) found."]


def test_parse_invitation_warnings_are_translated():
    draft = parse_invitation("Hej!", today=TODAY)

    assert draft.warnings == [
        "Inget datum eller klockslag hittades för evenemanget.",
        "Ingen rubrik hittades.",
        "Ingen samtalsledare (den som leder samtalet) hittades.",
        "Ingen lokal hittades.",
        "Ingen gatuadress hittades.",
        "Ingen ort hittades.",
        "Ingen sista anmälningsdag hittades.",
        "Ingen kontaktperson hittades.",
        "Ingen e-postadress till kontaktperson hittades.",
    ]


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("kl. 8", "08:00", None),
        ("08.00–09.30", "08:00", "09:30"),
        ("08:00-09:30", "08:00", "09:30"),
        ("kl 7:30-9", "07:30", "09:00"),
        ("8–9.30", "08:00", "09:30"),
        ("8:00-9:30 am", "08:00", "09:30"),
        ("11:30 am-1 pm", "11:30", "13:00"),
        ("mellan kl. 8 och 10", "08:00", "10:00"),
        ("08.15 till 09.45", "08:15", "09:45"),
    ],
)
def test_parse_invitation_reads_time_forms(line, start, end):
    draft = parse_invitation(f"Frukost\n\nDatum: 2027-05-20\nTid: {line}", today=TODAY)

    assert draft.starts_at.strftime("%H:%M") == start
    assert (draft.ends_at.strftime("%H:%M") if draft.ends_at else None) == end


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Onsdagen den 16 maj", "2029-05-16"),
        ("onsdag 16 maj 2029", "2029-05-16"),
        ("16/5", "2027-05-16"),
        ("2027-05-16", "2027-05-16"),
        ("Wednesday 16 May", "2029-05-16"),
        ("6 October 2027", "2027-10-06"),
        ("Wednesday, May 16th, 2029", "2029-05-16"),
        ("den 1:a juni", "2027-06-01"),
    ],
)
def test_parse_invitation_reads_date_forms(line, date):
    draft = parse_invitation(f"Frukost\n\n{line}\nkl. 08.00–09.30", today=TODAY)

    assert draft.starts_at.date().isoformat() == date


@pytest.mark.parametrize(
    ("line", "deadline"),
    [
        ("Anmäl dig senast den 1 maj.", "2029-05-01"),
        ("Sista anmälningsdag: 2029-05-03", "2029-05-03"),
        ("OSA senast 25/4", "2029-04-25"),
        ("Register by 14 May", "2029-05-14"),
        ("Please register no later than 29 April 2029.", "2029-04-29"),
        ("Anmälan senast dagen innan.", "2029-05-15"),
        ("Anmäl dig senast två dagar innan.", "2029-05-14"),
        ("Anmäl dig före den 10 maj.", "2029-05-09"),
    ],
)
def test_parse_invitation_reads_deadline_forms(line, deadline):
    draft = parse_invitation(f"Frukost\n\nOnsdag 16 maj 2029 kl. 8–9.30\n\n{line}", today=TODAY)

    assert draft.registration_deadline.isoformat() == deadline
