"""What the worker writes for each message (issue 10: its CPU per message): a chunk claimed in
one statement, two writes a message sent, the bodies only when they are needed again, and every
message recovered whatever moment its worker died at."""

from __future__ import annotations

import datetime as dt
import email
import io
import re
from email import policy
from functools import partial

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import CLAIM_CHUNK, claim_bulk, claim_transactional, send_due
from frukost.registrations.services import register
from tests.mail.queueing import queue_messages

pytestmark = pytest.mark.django_db

START = dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC)


_queue = partial(queue_messages, priority=Priority.TRANSACTIONAL)


def _statements_to_send(count: int, first: int) -> int:
    _queue(count, first=first)
    with CaptureQueriesContext(connection) as queries:
        assert send_due() == count
    return len([q for q in queries.captured_queries if q["sql"] not in ("BEGIN IMMEDIATE", "COMMIT")])


def test_send_due_writes_twice_a_message_and_claims_a_chunk_in_one_statement():
    one, ten, thirty = _statements_to_send(1, 0), _statements_to_send(10, 100), _statements_to_send(30, 200)

    # Per message: the hand-over and "sent". Per chunk of 10: one claim (the rows come back with
    # it). Per round: the look for due bulk mail, and after a full chunk the claim that finds
    # nothing more; a chunk that came back short is not followed by another claim.
    assert CLAIM_CHUNK == 10
    assert (one, ten, thirty) == (2 * 1 + 1 + 1, 2 * 10 + 1 + 2, 2 * 30 + 3 + 2)
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 41


def test_an_idle_round_asks_the_database_twice_and_takes_no_lock():
    with CaptureQueriesContext(connection) as queries:
        assert send_due() == 0

    # The transactional claim (finding nothing) and one SELECT for due bulk mail: no transaction
    # for the bulk allowance, no advisory lock, when nothing is due.
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 2
    assert not any("pg_advisory" in statement or "COUNT" in statement for statement in sql)


def test_a_crash_between_the_chunk_claim_and_the_sends_recovers_every_message(settings, time_machine):
    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    transactional = _queue(10)
    bulk = _queue(5, priority=Priority.BULK, first=100)
    # A worker claims a chunk of each and dies before handing any of them over.
    assert sorted(claim_transactional(10)) == sorted(message.pk for message in transactional)
    assert sorted(claim_bulk(20)) == sorted(message.pk for message in bulk)
    assert send_due() == 0  # nothing left for another worker meanwhile

    time_machine.move_to(START + dt.timedelta(seconds=601), tick=False)
    call_command("worker", once=True, stdout=io.StringIO())
    call_command("worker", once=True, stdout=io.StringIO())

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted([f"message {n}" for n in range(10)] + [f"message {n}" for n in range(100, 105)])
    rows = set(OutboxMessage.objects.values_list("status", "attempts", "last_error"))
    assert rows == {(MessageStatus.SENT, 2, "")}


def _without_fresh_parts(text: str) -> str:
    """The text without the personal link and the check-in code, which each copy mints afresh."""
    text = re.sub(r"/r/[A-Za-z0-9_-]+", "/r/LINK", text)
    return re.sub(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", "CODE", text)


def _composed_confirmation(event, person) -> OutboxMessage:
    register(event=event, person=person("anna@example.se"))
    return OutboxMessage.objects.get(kind=MailKind.CONFIRMATION)


def test_a_message_to_be_retried_keeps_the_bodies_composed_for_it(smtp_server, event, person, time_machine):
    time_machine.move_to(START, tick=False)
    message = _composed_confirmation(event, person)
    smtp_server.handler.rcpt_answer = "451 4.3.0 try again later"

    send_due()

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.subject == "Du är anmäld: Chefsfrukost: Leda med tillit"
    assert message.rendered_at is not None
    assert "Hej Anna!" in message.body_text and "Hej Anna!" in message.body_html
    assert "BEGIN:VCALENDAR" in message.ics
    # Stored with the placeholders, never a link (the retry mints its own).
    assert "[[frukost-personal-link:manage]]" in message.body_text
    assert "/r/" not in message.body_text + message.body_html

    smtp_server.handler.rcpt_answer = ""
    time_machine.move_to(START + dt.timedelta(hours=2), tick=False)
    send_due()

    message.refresh_from_db()
    [received] = smtp_server.received
    text = email.message_from_bytes(received.raw, policy=policy.default).get_body(("plain",)).get_content()
    assert "Hej Anna!" in text and "/r/" in text
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert (message.body_text, message.body_html, message.ics) == ("", "", "")
    assert message.subject == "Du är anmäld: Chefsfrukost: Leda med tillit"


def test_a_sent_message_kept_only_its_subject(mail_dir, settings, event, person):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    message = _composed_confirmation(event, person)

    send_due()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert (message.subject, message.body_text, message.body_html, message.ics) == (
        "Du är anmäld: Chefsfrukost: Leda med tillit",
        "",
        "",
        "",
    )
    assert message.rendered_at is not None and message.handed_over_at is not None


def test_a_confirmation_whose_worker_died_after_the_hand_over_is_composed_again(
    settings, event, person, time_machine
):
    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    message = _composed_confirmation(event, person)
    settings.EMAIL_BACKEND = "tests.mail.test_claim.DiesAfterDelivering"
    from tests.mail.test_claim import _Killed

    with pytest.raises(_Killed):
        send_due()
    message.refresh_from_db()
    # Handed over with its subject; the bodies were never written (they would have been blanked).
    assert (message.status, message.handed_over_at) == (MessageStatus.SENDING, START)
    assert message.subject == "Du är anmäld: Chefsfrukost: Leda med tillit"
    assert (message.body_text, message.body_html, message.ics) == ("", "", "")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(START + dt.timedelta(seconds=601), tick=False)
    call_command("worker", once=True, stdout=io.StringIO())

    # At least once, and the second copy as whole as the first: composed afresh.
    first, second = mail.outbox
    assert first.subject == second.subject == "Du är anmäld: Chefsfrukost: Leda med tillit"
    assert "Hej Anna!" in second.body and "/r/" in second.body
    assert _without_fresh_parts(second.body) == _without_fresh_parts(first.body)
    [calendar] = [part for part in second.message().walk() if part.get_content_type() == "text/calendar"]
    assert "BEGIN:VCALENDAR" in calendar.get_payload(decode=True).decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)


# --- The links minted at hand-over are written with it (benchmarks/README.md, fourth pass) ----


def _link_rows(message) -> list[str]:
    from frukost.registrations.models import PersonalLink

    return sorted(PersonalLink.objects.filter(message_id=message.pk).values_list("purpose", flat=True))


def test_the_links_the_check_in_code_and_the_hand_over_are_one_write(event, person):
    from frukost.registrations.models import PersonalLink

    message = _composed_confirmation(event, person)
    links = PersonalLink._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        assert send_due() == 1

    sql = [q["sql"] for q in queries.captured_queries]
    [hand_over] = [n for n, statement in enumerate(sql) if "SET handed_over_at =" in statement]
    if connection.vendor == "postgresql":
        # One statement (tests/mail/test_hand_over_statement.py), in a savepoint here: the test
        # runs inside a transaction.
        assert sql[hand_over].count(f'INSERT INTO "{links}"') == 2
        assert sql[hand_over - 1].startswith("SAVEPOINT") and sql[hand_over + 1].startswith("RELEASE")
        assert _link_rows(message) == ["checkin", "manage"]
        return
    inserts = [
        n for n, statement in enumerate(sql) if statement.startswith("INSERT") and f'"{links}"' in statement
    ]
    # The personal link and the check-in code, then the hand-over, inside one transaction (a
    # savepoint here: the test runs inside one): one commit where there were three.
    assert len(inserts) == 2
    opened = max(n for n, statement in enumerate(sql[: inserts[0]]) if statement.startswith("SAVEPOINT"))
    released = hand_over + 1
    assert (
        sql[released].startswith("RELEASE SAVEPOINT") and sql[opened].split()[-1] == sql[released].split()[-1]
    )
    assert inserts[0] > opened and inserts[-1] < hand_over
    assert _link_rows(message) == ["checkin", "manage"]


def test_a_hand_over_that_cannot_be_written_leaves_no_link_and_the_message_is_retried(
    event, person, monkeypatch, time_machine
):
    from frukost.mail import worker

    time_machine.move_to(START, tick=False)
    message = _composed_confirmation(event, person)
    statements = worker._statements(connections["default"])
    for key in list(statements.hand_over_sql):
        monkeypatch.setitem(statements.hand_over_sql, key, "UPDATE no_such_table SET x = 1 WHERE 0 = %(id)s")

    assert send_due() == 0

    message.refresh_from_db()
    assert (message.status, message.handed_over_at) == (MessageStatus.QUEUED, None)
    assert mail.outbox == []
    # Nothing handed over, nothing stored: no usable link to anyone's page left behind.
    assert _link_rows(message) == []

    monkeypatch.undo()
    time_machine.move_to(START + dt.timedelta(hours=1), tick=False)
    assert send_due() == 1
    assert _link_rows(message) == ["checkin", "manage"]
    assert len(mail.outbox) == 1


def test_a_worker_that_dies_before_the_hand_over_stores_no_link_and_the_message_goes_once(
    settings, event, person, monkeypatch, time_machine
):
    from frukost.mail import renderers
    from tests.mail.test_claim import _Killed

    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    message = _composed_confirmation(event, person)

    def dies(_message):  # after the personal link was minted, before the hand-over
        raise _Killed

    monkeypatch.setitem(renderers._code_hooks, "issue", dies)
    with pytest.raises(_Killed):
        send_due()
    message.refresh_from_db()
    assert (message.status, message.handed_over_at) == (MessageStatus.SENDING, None)
    assert _link_rows(message) == []

    monkeypatch.undo()
    time_machine.move_to(START + dt.timedelta(seconds=601), tick=False)
    call_command("worker", once=True, stdout=io.StringIO())

    [sent] = mail.outbox
    assert "/r/" in sent.body
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert _link_rows(message) == ["checkin", "manage"]


def test_a_message_failing_before_its_hand_over_mid_chunk_leaves_no_link_and_the_others_go(
    event, person, monkeypatch
):
    from frukost.mail import renderers
    from frukost.mail.renderers import NothingToRender

    for address in ("anna@example.se", "bo@example.se", "cecilia@example.se"):
        register(event=event, person=person(address))
    first, second, third = OutboxMessage.objects.filter(kind=MailKind.CONFIRMATION).order_by("pk")
    issue = renderers._code_hooks["issue"]

    def refuses_the_second(message):
        if message.pk == second.pk:
            raise NothingToRender("no code for this one")
        return issue(message)

    monkeypatch.setitem(renderers._code_hooks, "issue", refuses_the_second)
    assert send_due() == 2

    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == (
        MessageStatus.SENT,
        MessageStatus.FAILED,
        MessageStatus.SENT,
    )
    # The failed message's link was never stored, and none went with the next one's hand-over.
    assert _link_rows(second) == []
    assert _link_rows(first) == _link_rows(third) == ["checkin", "manage"]
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.se", "cecilia@example.se"]


def test_every_statement_a_confirmation_is_sent_with_takes_its_parameters_by_name(event, person):
    # Django's SQLite cursor rewrites a statement with positional parameters by a regular
    # expression over the whole SQL (0.17 ms for the registration's 3.8 kB, every message), one
    # with named parameters by a `%` formatting (frukost.core.sql). Both databases run them.
    message = _composed_confirmation(event, person)
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql.split(" ", 1)[0], type(params).__name__ if params else None, sql[:90]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert send_due() == 1

    with_parameters = [(verb, style) for verb, style, _sql in seen if style is not None]
    # The claim, the registration, the link and the check-in code, the hand-over, "sent" and the
    # look for due bulk mail (a chunk that came back short is not followed by another claim).
    # On PostgreSQL the claim locks in a CTE, and the link and the check-in code go in the
    # hand-over's statement as CTEs of their own.
    expected = (
        ["WITH", "SELECT", "WITH", "UPDATE", "SELECT"]
        if connection.vendor == "postgresql"
        else ["UPDATE", "SELECT", "INSERT", "INSERT", "UPDATE", "UPDATE", "SELECT"]
    )
    assert [verb for verb, _style in with_parameters] == expected
    assert {style for _verb, style in with_parameters} == {"dict"}
    assert _link_rows(message) == ["checkin", "manage"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
