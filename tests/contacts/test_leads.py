"""A lead: a yes after an event to "may the local representative contact you?". Without a yes, no lead."""

from __future__ import annotations

import pytest

from frukost.contacts.exceptions import InvalidLead, NoConsent, NoteTooLong
from frukost.contacts.models import Lead
from frukost.contacts.services import mark_contacted, record_lead, unmark_contacted, withdraw_lead
from frukost.core.models import AuditLog
from frukost.events.models import Organisation

pytestmark = pytest.mark.django_db

YES = "Ja, Akademikerförbundet SSR:s lokala ombud får kontakta mig."


def lead(at_event, email="anna@example.se", **overrides):
    """A yes as the follow-up's feedback form hands it over."""
    values = {
        "organisation": at_event.organisation,
        "event": at_event,
        "registration_id": 41,
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": email,
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "language": "sv",
        "kind": "not_member",
        "answers": {"rating": 5, "most_useful": "Samtalet om tillit", "comment": "Mer sånt!"},
        "consent_text": YES,
    }
    return record_lead(**(values | overrides))


def actions():
    return list(
        AuditLog.objects.filter(action__startswith="lead.").order_by("id").values_list("action", "data")
    )


def test_record_lead_keeps_who_what_they_answered_when_and_the_words_they_saw(event, frozen):
    when = frozen("2029-05-17 09:30")

    recorded = lead(event, email=" Anna@Example.SE ")

    row = Lead.objects.get()
    assert row == recorded
    assert (row.email, row.first_name, row.workplace, row.job_title, row.kind, row.registration_id) == (
        "anna@example.se",
        "Anna",
        "Sundsvalls kommun",
        "Enhetschef",
        "not_member",
        41,
    )
    assert row.answers == {"rating": 5, "most_useful": "Samtalet om tillit", "comment": "Mer sånt!"}
    assert (row.consented_at, row.consent_text, row.source_event, row.contacted_at) == (
        when,
        YES,
        event,
        None,
    )
    assert actions() == [
        ("lead.recorded", {"lead_id": row.pk, "repeated": False, "organisation_id": event.organisation_id})
    ]


@pytest.mark.parametrize("no", ["", "   ", None])
def test_without_a_yes_there_is_no_lead(event, no):
    with pytest.raises(NoConsent):
        lead(event, consent_text=no)

    assert Lead.objects.count() == 0
    assert actions() == []


def test_a_lead_needs_an_address_a_known_kind_and_the_organisations_own_event(event, event_factory):
    other = event_factory(organisation=Organisation.objects.create(name="Vision", slug="vision"))

    for overrides in ({"email": ""}, {"kind": "member"}, {"event": other}):
        with pytest.raises(InvalidLead):
            lead(event, **overrides)

    assert Lead.objects.count() == 0


def test_the_feedback_keeps_only_rating_most_useful_and_comment(event):
    row = lead(
        event, answers={"rating": "4", "comment": " Bra ", "membership": "not_member", "diet": "vegan"}
    )

    assert row.answers == {"rating": 4, "most_useful": "", "comment": "Bra"}


def test_a_repeat_yes_updates_the_lead_and_keeps_the_follow_up(event, frozen, staff_factory):
    frozen("2029-05-17 09:30")
    first = lead(event)
    rep = staff_factory("representative")
    mark_contacted(first, actor=rep, note="Ringde")
    later = frozen("2029-05-18 10:00")

    again = lead(event, email="ANNA@example.se", workplace="Region Västernorrland", answers={"rating": 3})

    assert Lead.objects.count() == 1
    assert again.pk == first.pk
    assert (again.workplace, again.answers["rating"], again.consented_at) == (
        "Region Västernorrland",
        3,
        later,
    )
    assert (again.contacted_by, again.note) == (rep, "Ringde")
    assert [data["repeated"] for action, data in actions() if action == "lead.recorded"] == [False, True]


def test_one_lead_per_event_and_address(event, event_factory):
    second = event_factory()

    lead(event)
    lead(second)

    assert sorted(Lead.objects.values_list("source_event_id", flat=True)) == sorted([event.pk, second.pk])


def test_mark_contacted_and_undo(event, frozen, staff_factory):
    row = lead(event)
    rep = staff_factory("representative")
    when = frozen("2029-05-20 13:00")

    mark_contacted(row, actor=rep, note="  Träffas i juni  ")
    row.refresh_from_db()
    assert (row.contacted_at, row.contacted_by, row.note) == (when, rep, "Träffas i juni")

    unmark_contacted(row, actor=rep)
    row.refresh_from_db()
    assert (row.contacted_at, row.contacted_by, row.note) == (None, None, "")
    unmark_contacted(row, actor=rep)  # nothing to undo: no error, no entry
    assert [action for action, _data in actions()] == [
        "lead.recorded",
        "lead.contacted",
        "lead.contact_undone",
    ]
    assert AuditLog.objects.get(action="lead.contacted").actor == rep


def test_a_note_longer_than_the_field_is_refused_and_nothing_changes(event, staff_factory):
    row = lead(event)

    with pytest.raises(NoteTooLong):
        mark_contacted(row, actor=staff_factory("representative"), note="x" * 501)

    row.refresh_from_db()
    assert (row.contacted_at, row.note) == (None, "")


def test_withdraw_lead_deletes_the_events_lead_or_all_of_the_address(event, event_factory, settings):
    import json

    second = event_factory()
    lead(event)
    kept = lead(second)
    lead(event, email="bo@example.se")

    assert withdraw_lead(organisation=event.organisation, email="ANNA@example.se", event=event) == 1
    assert sorted(Lead.objects.values_list("email", "source_event_id")) == sorted(
        [("anna@example.se", second.pk), ("bo@example.se", event.pk)]
    )
    assert withdraw_lead(organisation=event.organisation, email="anna@example.se") == 1
    assert withdraw_lead(organisation=event.organisation, email="anna@example.se") == 0
    assert list(Lead.objects.values_list("email", flat=True)) == ["bo@example.se"]
    journal = [json.loads(line) for line in settings.FRUKOST_ERASURE_JOURNAL.read_text().splitlines()]
    assert journal[-1]["leads"] == [
        {"id": kept.pk, "created": kept.created_at.isoformat(timespec="microseconds")}
    ]
    assert [action for action, _data in actions()].count("lead.withdrawn") == 2


def test_a_lead_outlives_its_event(event):
    row = lead(event)

    event.delete()

    row.refresh_from_db()
    assert row.source_event is None
