"""What composing and handing over one e-mail costs the database: the same few queries whoever
it is for (issue 10: the worker's CPU per message)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import deliver
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register
from tests.conftest import read_eml_files

pytestmark = pytest.mark.django_db


def _deliver(message: OutboxMessage) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert deliver(message) is True
    # Statements that read or write; not the transaction's own (BEGIN/COMMIT, or the savepoint the
    # hand-over's transaction is inside the test's).
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    return len([q for q in queries.captured_queries if not q["sql"].startswith(control)])


def _confirmation(to: str) -> OutboxMessage:
    return OutboxMessage.objects.filter(
        to=to, kind=MailKind.CONFIRMATION, status=MessageStatus.QUEUED
    ).latest("pk")


def test_a_confirmation_takes_the_same_few_queries_with_colleagues_or_an_earlier_cancellation(
    settings, mail_dir, event, person, colleague
):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    register(event=event, person=person("anna@example.se"))
    plain = _deliver(_confirmation("anna@example.se"))

    register(event=event, person=person("cleo@example.se"), colleagues=[colleague("bo@example.se")])
    with_colleague = _deliver(_confirmation("cleo@example.se"))

    register(event=event, person=person("dan@example.se"))
    cancel_registration(registration=Registration.objects.get(email="dan@example.se"))
    register(event=event, person=person("dan@example.se"))
    OutboxMessage.objects.filter(to="dan@example.se").exclude(pk=_confirmation("dan@example.se").pk).delete()
    again = _deliver(OutboxMessage.objects.get(to="dan@example.se"))

    # The registration with its event and organisation, whether it has colleagues (none stored by
    # name) and its earlier registrations in one statement, the link and the check-in code stored,
    # the hand-over (with the subject), sent: nothing per colleague or per earlier registration, no
    # bodies saved. On PostgreSQL the link and the check-in code go in the hand-over's statement.
    assert plain == again == with_colleague == (3 if connection.vendor == "postgresql" else 5)
    mails = {mail["To"]: mail for mail in read_eml_files(mail_dir)}
    cleo = mails["cleo@example.se"].get_body(("plain",)).get_content()
    assert "Bo Ek" in cleo
    assert "Bo Ek" not in mails["anna@example.se"].get_body(("plain",)).get_content()
    ics = next(p for p in mails["dan@example.se"].walk() if p.get_content_type() == "text/calendar")
    assert "SEQUENCE:2" in ics.get_content()  # past the cancelled entry's 1


def test_a_registration_from_before_names_were_kept_still_lists_its_colleagues(
    settings, mail_dir, event, person, colleague
):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    register(event=event, person=person("cleo@example.se"), colleagues=[colleague("bo@example.se")])
    Registration.objects.filter(email="cleo@example.se").update(colleague_names="")
    Registration.objects.filter(email="bo@example.se").update(invited_by_name="")

    deliver(_confirmation("cleo@example.se"))

    [mail] = [m for m in read_eml_files(mail_dir) if m["To"] == "cleo@example.se"]
    assert "Bo Ek" in mail.get_body(("plain",)).get_content()  # found after the EXISTS said so


def test_the_prepared_registration_query_reads_what_the_orm_reads_and_always_afresh(event, person):
    from frukost.events.models import Event
    from frukost.registrations.queries import registration_for_mail

    registration = register(event=event, person=person("anna@example.se")).registration
    orm = Registration.objects.select_related("event__organisation").get(pk=registration.pk)

    found = registration_for_mail(registration.pk)

    fields = [f.attname for f in Registration._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(orm, f) for f in fields]
    event_fields = [f.attname for f in Event._meta.concrete_fields]
    assert [getattr(found.event, f) for f in event_fields] == [getattr(orm.event, f) for f in event_fields]
    assert found.event.organisation.name == orm.event.organisation.name
    assert found._state.adding is False and found._state.db == "default"
    Event.objects.filter(pk=event.pk).update(status="cancelled")
    Registration.objects.filter(pk=registration.pk).update(first_name="Berit")
    again = registration_for_mail(registration.pk)
    assert (again.first_name, again.event.status) == ("Berit", "cancelled")  # nothing kept
    assert registration_for_mail(registration.pk + 1000) is None
    assert registration_for_mail(None) is None


def test_the_earlier_rows_and_colleagues_read_with_the_registration_are_what_their_own_queries_say(
    event, person, colleague
):
    from frukost.registrations import queries

    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    for _ in range(2):
        register(event=event, person=person("dan@example.se"))
        cancel_registration(
            registration=Registration.objects.get(email="dan@example.se", status="registered")
        )
    register(event=event, person=person("dan@example.se"))
    register(event=event, person=person("eva@example.se"), colleagues=[colleague("dan@example.se")])

    for registration in Registration.objects.all():
        read = registration_for_mail_of(registration.pk)
        assert "earlier_ended_registrations" not in registration.__dict__
        assert read.earlier_ended_registrations == queries.earlier_registrations(registration)
        assert read.has_colleague_rows == queries.has_colleagues(registration)
        assert queries.earlier_registrations(read) == read.earlier_ended_registrations
    dan = Registration.objects.filter(email="dan@example.se").latest("pk")
    assert registration_for_mail_of(dan.pk).earlier_ended_registrations == 2
    anna = Registration.objects.get(email="anna@example.se")
    assert registration_for_mail_of(anna.pk).has_colleague_rows is True


def registration_for_mail_of(pk):
    from frukost.registrations.queries import registration_for_mail

    return registration_for_mail(pk)


def _statements(queries) -> list[str]:
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(control)]


def test_in_a_round_the_event_is_read_with_the_first_message_only(event, person):
    from frukost.core import rounds
    from frukost.events.models import Event
    from frukost.registrations.queries import registration_for_mail

    ids = [register(event=event, person=person(f"p{n}@example.se")).registration.pk for n in range(3)]
    event_table = Event._meta.db_table

    with rounds.round_of_work(), CaptureQueriesContext(connection) as queries:
        read = [registration_for_mail(pk) for pk in ids]

    statements = _statements(queries)
    assert len(statements) == 3  # one statement a message, as outside a round
    title = f'"{event_table}"."title"'  # one of the event's columns, read with the first only
    assert title in statements[0]
    assert [title in sql for sql in statements[1:]] == [False, False]  # the registration, the fingerprint
    orm = Registration.objects.select_related("event__organisation").get(pk=ids[2])
    event_fields = [f.attname for f in Event._meta.concrete_fields]
    assert [getattr(read[2].event, f) for f in event_fields] == [getattr(orm.event, f) for f in event_fields]
    assert read[2].event.organisation.name == orm.event.organisation.name
    assert [r.email for r in read] == ["p0@example.se", "p1@example.se", "p2@example.se"]
    assert read[2].event._state.db == "default" and read[2].event._state.adding is False


def test_each_message_of_a_round_gets_its_own_copy_of_the_event(event, person):
    from frukost.core import rounds
    from frukost.registrations.queries import registration_for_mail

    first, second = (
        register(event=event, person=person(f"p{n}@example.se")).registration.pk for n in range(2)
    )

    with rounds.round_of_work():
        one = registration_for_mail(first)
        one.event.title = "Changed while composing"
        one.event.organisation.name = "Changed too"
        two = registration_for_mail(second)

    assert two.event is not one.event and two.event.organisation is not one.event.organisation
    assert (two.event.title, two.event.organisation.name) == (event.title, event.organisation.name)


def test_in_a_round_the_registration_is_still_read_afresh_and_each_event_is_its_own(event_factory, person):
    from frukost.core import rounds
    from frukost.registrations.queries import registration_for_mail

    breakfast, lunch = event_factory(title="Frukost"), event_factory(title="Lunch")
    anna = register(event=breakfast, person=person("anna@example.se")).registration
    bo = register(event=lunch, person=person("bo@example.se")).registration
    cleo = register(event=breakfast, person=person("cleo@example.se")).registration

    with rounds.round_of_work():
        assert registration_for_mail(anna.pk).event.title == "Frukost"
        Registration.objects.filter(pk=cleo.pk).update(first_name="Cleo", status="waitlisted")
        assert registration_for_mail(bo.pk).event.title == "Lunch"  # read, then kept for the round
        read = registration_for_mail(cleo.pk)
        assert (read.first_name, read.status, read.event.title) == ("Cleo", "waitlisted", "Frukost")
        assert registration_for_mail(bo.pk).event.title == "Lunch"
        assert registration_for_mail(anna.pk + 10_000) is None


def test_a_changed_event_reaches_the_next_round(event, person):
    from frukost.core import rounds
    from frukost.events.models import Event
    from frukost.registrations.queries import registration_for_mail

    pk = register(event=event, person=person("anna@example.se")).registration.pk
    with rounds.round_of_work():
        assert registration_for_mail(pk).event.venue_name == event.venue_name
    Event.objects.filter(pk=event.pk).update(venue_name="Hotel Nytt")
    with rounds.round_of_work():
        assert registration_for_mail(pk).event.venue_name == "Hotel Nytt"


def test_the_worker_reads_the_event_once_a_round_and_every_mail_names_it(settings, mail_dir, event, person):
    from frukost.events.models import Event
    from frukost.mail.worker import send_due

    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    for n in range(6):
        register(event=event, person=person(f"p{n}@example.se"))
    event_table = Event._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        assert send_due() == 6

    title = f'"{event_table}"."title"'
    reads = [sql for sql in _statements(queries) if title in sql]
    assert len(reads) == 1  # the six messages were one claim: one round
    mails = read_eml_files(mail_dir)
    assert len(mails) == 6
    assert all(
        event.title in mail["Subject"] or event.title in mail.get_body(("plain",)).get_content()
        for mail in mails
    )


def test_an_event_changed_during_a_round_is_read_again_for_the_rounds_later_messages(
    settings, mail_dir, event, person
):
    # A round lasts as long as its sends: the event can change between two of its messages.
    from frukost.core import rounds
    from frukost.registrations.services import cancel_event

    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))

    with rounds.round_of_work():
        assert deliver(_confirmation("anna@example.se")) is True
        cancel_event(event=event)
        bo = OutboxMessage.objects.get(to="bo@example.se", kind=MailKind.CONFIRMATION)
        deliver(bo)
        notice = OutboxMessage.objects.get(to="bo@example.se", kind=MailKind.EVENT_CANCELLED)
        assert deliver(notice) is True

    bo.refresh_from_db()
    assert bo.status == MessageStatus.SKIPPED  # no "you are registered" for a cancelled event
    [mail] = [m for m in read_eml_files(mail_dir) if m["To"] == "bo@example.se"]
    ics = next(p for p in mail.walk() if p.get_content_type() == "text/calendar").get_content()
    assert "METHOD:CANCEL" in ics


def test_a_time_changed_during_a_round_reaches_the_rounds_later_messages(settings, mail_dir, event, person):
    import datetime as dt

    from frukost.core import rounds
    from frukost.registrations.services import update_event

    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))
    later = event.starts_at + dt.timedelta(days=1)

    with rounds.round_of_work():
        assert deliver(_confirmation("anna@example.se")) is True
        update_event(
            event=event, changes={"starts_at": later, "ends_at": event.ends_at + dt.timedelta(days=1)}
        )
        assert deliver(_confirmation("bo@example.se")) is True

    mails = {m["To"]: m for m in read_eml_files(mail_dir)}
    assert _starts(mails["bo@example.se"]) == later
    assert _starts(mails["anna@example.se"]) == event.starts_at


def _starts(mail):
    import icalendar

    ics = next(p for p in mail.walk() if p.get_content_type() == "text/calendar").get_content()
    [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return vevent["DTSTART"].dt


def test_an_event_deleted_during_a_round_leaves_nothing_to_compose(event, person):
    from frukost.core import rounds
    from frukost.events.models import Event
    from frukost.registrations.queries import registration_for_mail

    anna = register(event=event, person=person("anna@example.se")).registration
    bo = register(event=event, person=person("bo@example.se")).registration
    with rounds.round_of_work():
        assert registration_for_mail(anna.pk) is not None
        Event.objects.filter(pk=event.pk).delete()
        assert registration_for_mail(bo.pk) is None
