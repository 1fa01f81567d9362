import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from frukost.catering.services import catering_figures, freeze_catering_list
from frukost.core.models import AuditLog, DailyRun
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.privacy.retention import add_months, run_retention, schedule_for
from frukost.registrations.enums import Status
from frukost.registrations.management.commands.worker import run_once
from frukost.registrations.models import EventTally, PersonalLink, Registration
from frukost.registrations.services import cancel_registration, register
from frukost.registrations.statistics import compare_events, diet_counts, event_statistics
from tests.conftest import stockholm, worker_keeps_up

pytestmark = pytest.mark.django_db


def _register(event, person, address, **answers):
    return register(event=event, person=person(address, **answers)).registration


def _retention(*args) -> str:
    output = io.StringIO()
    call_command("retention", *args, stdout=output)
    return output.getvalue()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2029, 5, 16), 12) == dt.date(2030, 5, 16)
    assert add_months(dt.date(2029, 1, 31), 1) == dt.date(2029, 2, 28)
    assert add_months(dt.date(2029, 11, 30), 3) == dt.date(2030, 2, 28)


def test_schedule_counts_from_the_events_date_in_stockholm(event_factory, organisation):
    # Ends at 00:30 on the 17th in Stockholm (22:30 UTC on the 16th): the 17th is the event's day.
    event = event_factory(starts_at=stockholm(2029, 5, 16, 22, 0), ends_at=stockholm(2029, 5, 17, 0, 30))

    schedule = schedule_for(event)

    assert (schedule.event_day, schedule.needs, schedule.membership, schedule.cancelled) == (
        dt.date(2029, 5, 17),
        dt.date(2029, 5, 18),
        dt.date(2029, 6, 16),
        dt.date(2029, 5, 24),
    )
    assert (schedule.links, schedule.identity) == (dt.date(2029, 6, 16), dt.date(2030, 5, 17))


def test_schedule_never_keeps_anything_past_the_identity_date(event_factory, organisation):
    organisation.retain_identity_months = 1
    organisation.retain_membership_days = 90
    organisation.save()

    schedule = schedule_for(event_factory())

    assert schedule.identity == dt.date(2029, 6, 16)
    assert schedule.membership == dt.date(2029, 6, 16)


def test_retention_before_the_date_keeps_everything(event, person, frozen):
    frozen("2029-04-20 10:00")
    anna = _register(event, person, "anna@example.se", diets=("vegan",), other_needs="teleslinga")

    frozen("2029-05-16 23:59")
    report = run_retention()

    anna.refresh_from_db()
    assert report.events == []
    assert (anna.diets, anna.other_needs) == (["vegan"], "teleslinga")


def test_dry_run_counts_per_kind_and_event_and_changes_nothing(event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", diets=("vegan",))
    _register(event, person, "bo@example.se")
    worker_keeps_up()

    report = run_retention(today=dt.date(2029, 6, 15), dry_run=True)

    (row,) = report.events
    assert (row.event_id, row.counts) == (event.pk, {"needs": 1, "membership": 2, "links": 2})
    assert Registration.objects.exclude(membership="").count() == 2
    assert not EventTally.objects.exists()
    assert not AuditLog.objects.filter(action="retention.ran").exists()


def test_command_dry_run_as_of_prints_counts_per_kind_and_event(event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", diets=("vegan",), diet_other="utan nötter")

    output = _retention("--dry-run", "--as-of", "2029-05-17")

    assert output.splitlines() == [
        "Retention as of 2029-05-17 (dry run)",
        f"  event {event.pk} (2029-05-16, Chefsfrukost: Leda med tillit):",
        "    diets and needs: 1",
        "Would erase in 1 event(s): diets and needs 1",
    ]
    assert Registration.objects.get().diet_other == "utan nötter"


@pytest.mark.parametrize("value", ["2029-13-01", "17/5/2029", "igår"])
def test_command_refuses_a_bad_date_with_exit_status_2(value):
    with pytest.raises(CommandError, match="YYYY-MM-DD") as raised:
        call_command("retention", "--as-of", value)

    assert raised.value.returncode == 2


def test_real_run_writes_its_counts_to_the_audit_log_and_is_idempotent(event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", diets=("vegan",))

    frozen("2029-05-17 03:00")
    first = _retention()
    second = _retention()

    assert first.splitlines()[-1] == "Erased in 1 event(s): diets and needs 1"
    assert second.splitlines()[-1] == "Erased: nothing is due."
    entries = list(
        AuditLog.objects.filter(action="retention.ran").order_by("id").values_list("organisation_id", "data")
    )
    own = event.organisation_id
    assert entries == [
        (None, {"day": "2029-05-17", "events": 1, "needs": 1}),
        (own, {"day": "2029-05-17", "events": 1, "needs": 1, "organisation_id": own}),
        (None, {"day": "2029-05-17", "events": 0}),
    ]


def test_cancelled_and_released_go_sooner_than_attendees(event, person, colleague, frozen):
    frozen("2029-04-20 10:00")
    anna = register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    bo = Registration.objects.get(email="bo@example.se")
    cissi = _register(event, person, "cissi@example.se")
    cancel_registration(registration=cissi)
    frozen("2029-04-25 10:00")  # Bo's hold (72 h) has expired
    run_once()
    worker_keeps_up()
    bo.refresh_from_db()
    assert bo.status == Status.RELEASED

    frozen("2029-05-23 03:00")
    run_retention()

    people = {r.pk: r for r in Registration.objects.all()}
    assert (people[bo.pk].email, people[cissi.pk].email) == ("", "")
    assert people[bo.pk].anonymised_at == timezone.now()
    assert people[anna.registration.pk].email == "anna@example.se"
    assert not PersonalLink.objects.filter(registration_id__in=[bo.pk, cissi.pk]).exists()
    # Bo's invitation named Anna in its subject: that went with Bo's data.
    assert set(OutboxMessage.objects.filter(registration_id=bo.pk).values_list("to", "subject")) == {("", "")}
    assert EventTally.objects.get(event=event).cancelled == 1


def test_tallied_counts_keep_statistics_and_catering_right_after_erasure(event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", membership="member", diets=("vegan", "gluten"))
    _register(event, person, "bo@example.se", membership="not_member", diets=("gluten",))
    _register(event, person, "cissi@example.se", membership="undisclosed")
    before = event_statistics(event).figures
    diets_before = diet_counts(event)

    frozen("2029-06-15 03:00")
    run_retention()

    after = event_statistics(event).figures
    assert Registration.objects.filter(membership="", diets=[]).count() == 3
    assert (after.members, after.not_members, after.undisclosed, after.unanswered) == (1, 1, 1, 0)
    assert after == before
    assert diet_counts(event) == diets_before == {"vegan": 1, "gluten": 2}
    assert catering_figures(event).diets == {"vegan": 1, "gluten": 2}
    assert compare_events([event]).rows[0].figures == before


def test_catering_lists_lose_their_notes_and_keep_the_counts(event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", diets=("vegan",), diet_other="inga räkor")
    snapshot = freeze_catering_list(event=event, reason="manual")
    assert snapshot.notes == ["inga räkor"]

    frozen("2029-05-17 03:00")
    run_retention()

    snapshot.refresh_from_db()
    assert EventTally.objects.values_list("headcount", "diets").get() == (1, {"vegan": 1})
    assert (snapshot.notes, snapshot.diets, snapshot.headcount) == ([], {"vegan": 1}, 1)


def test_outbox_loses_old_recipients_and_any_bodies_after_90_days(frozen, settings):
    frozen("2029-01-01 10:00")
    common = {"kind": MailKind.ACCOUNT, "subject": "Återställ ditt lösenord", "body_text": "hemlig länk"}
    failed = OutboxMessage.objects.create(to="a@example.se", status=MessageStatus.FAILED, **common)
    sent = OutboxMessage.objects.create(to="b@example.se", status=MessageStatus.SENT, **common)
    queued = OutboxMessage.objects.create(to="c@example.se", status=MessageStatus.QUEUED, **common)

    frozen("2029-04-02 11:00")  # 91 days
    run_retention()
    rows = {m.pk: (m.to, m.subject, m.body_text) for m in OutboxMessage.objects.all()}
    assert rows[failed.pk] == rows[sent.pk] == ("", "", "")
    assert rows[queued.pk] == ("c@example.se", "Återställ ditt lösenord", "hemlig länk")  # still to be sent


def test_worker_runs_retention_once_a_day(event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", diets=("vegan",))

    frozen("2029-05-17 00:05")
    run_once()
    assert Registration.objects.get().diets == []
    assert DailyRun.objects.get(name="retention").day == dt.date(2029, 5, 17)

    # Later the same day (a restart, or a second worker): not again.
    Registration.objects.update(diets=["gluten"])
    frozen("2029-05-17 15:00")
    run_once()
    assert Registration.objects.get().diets == ["gluten"]
    assert AuditLog.objects.filter(action="retention.ran", organisation_id=None).count() == 1

    frozen("2029-05-18 00:05")
    run_once()
    assert Registration.objects.get().diets == []
    assert AuditLog.objects.filter(action="retention.ran", organisation_id=None).count() == 2


def test_a_cancelled_inviters_name_goes_from_the_colleagues_mail_too(event, person, colleague, frozen):
    frozen("2029-04-20 10:00")
    anna = register(
        event=event,
        person=person("anna@example.se", first_name="Annika", last_name="Zetterlund"),
        colleagues=[colleague("bo@example.se")],
    ).registration
    worker_keeps_up()
    OutboxMessage.objects.update(status=MessageStatus.SENT)
    cancel_registration(registration=anna)
    invitation = OutboxMessage.objects.get(kind=MailKind.COLLEAGUE_INVITATION)
    assert "Annika Zetterlund" in invitation.subject

    frozen("2029-05-23 03:00")
    run_retention()

    invitation.refresh_from_db()
    bo = Registration.objects.get(email="bo@example.se")
    assert (invitation.to, invitation.subject) == ("", "")
    assert (bo.first_name, bo.anonymised_at) == ("Bo", None)


def test_dry_run_counts_what_the_real_run_then_erases(event_factory, person, frozen):
    frozen("2029-04-20 10:00")
    early, late = (
        event_factory(),
        event_factory(starts_at=stockholm(2029, 9, 1, 8), ends_at=stockholm(2029, 9, 1, 9)),
    )
    for event in (early, late):
        for number in range(4):
            registration = _register(
                event, person, f"p{number}-{event.pk}@example.se", diets=("vegan",) * (number % 2)
            )
            if number == 3:
                cancel_registration(registration=registration)
    worker_keeps_up()
    OutboxMessage.objects.exclude(status=MessageStatus.SKIPPED).update(status=MessageStatus.SENT)

    dry = run_retention(today=dt.date(2030, 5, 20), now=stockholm(2030, 5, 20, 3), dry_run=True)
    real = run_retention(today=dt.date(2030, 5, 20), now=stockholm(2030, 5, 20, 3))

    assert [(r.event_id, r.counts) for r in dry.events] == [(r.event_id, r.counts) for r in real.events]
    assert dry.totals == real.totals
    assert (dry.totals["identity"], dry.totals["cancelled"], dry.totals["old_mail"]) == (
        3,
        2,
        real.totals["old_mail"],
    )
    assert real.totals["old_mail"] > 0


def test_owners_read_the_run_in_their_audit_log_with_its_counts(client, staff_factory, event, person, frozen):
    frozen("2029-04-20 10:00")
    _register(event, person, "anna@example.se", diets=("vegan",))
    frozen("2029-05-17 03:00")
    run_retention()
    client.force_login(staff_factory("owner"))

    page = client.get(f"/backoffice/{event.organisation.slug}/handelselogg/").content.decode()

    assert "Personuppgifter raderade enligt schemat (gallring)" in page
    assert "specialkost och behov raderade" in page.lower()


def test_old_recipients_are_counted_from_when_the_message_was_sent(frozen):
    """The notice says "90 days after it was sent": a message that waited to be sent (retries)
    keeps its recipient 90 days from the sending, not from when it was written."""
    frozen("2029-01-01 10:00")
    late = OutboxMessage.objects.create(
        to="sen@example.se",
        kind=MailKind.ACCOUNT,
        subject="Ämne",
        status=MessageStatus.SENT,
        sent_at=timezone.now() + dt.timedelta(days=5),
    )

    frozen("2029-04-02 11:00")  # 91 days after it was written, 86 after it was sent
    run_retention()
    late.refresh_from_db()
    assert late.to == "sen@example.se"

    frozen("2029-04-07 11:00")  # 91 days after it was sent
    run_retention()
    late.refresh_from_db()
    assert late.to == ""


def test_failed_mail_keeps_no_bodies_and_no_setting_or_doc_promises_a_period_for_them(settings):
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    names = ("configuration.md", "privacy.md", "architecture.md", "safety.md")
    text = "".join((docs / name).read_text() for name in names)

    # The worker blanks a failed message's bodies at once (tests/mail); nothing is left to retain.
    assert not hasattr(settings, "FRUKOST_RETAIN_FAILED_MAIL_DAYS")
    assert "FRUKOST_RETAIN_FAILED_MAIL_DAYS" not in text
    assert "failed_mail_bodies" not in run_retention(today=dt.date(2029, 6, 15), dry_run=True).totals
