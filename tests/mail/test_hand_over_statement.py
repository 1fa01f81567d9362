"""The hand-over and the links minted for the message, in one statement on PostgreSQL (issue 10:
PostgreSQL's work per message; benchmarks/README.md, "Eighth pass"): one round trip where
BEGIN, the link's INSERT, the check-in code's, the UPDATE and COMMIT were one each, and the
same outcome whatever fails: the links with the hand-over, or nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations import links
from frukost.registrations.enums import LinkPurpose
from frukost.registrations.models import PersonalLink
from frukost.registrations.services import register


def _confirmation(event, person, address="anna@example.se") -> OutboxMessage:
    register(event=event, person=person(address))
    return OutboxMessage.objects.get(kind=MailKind.CONFIRMATION, to=address)


def _link_rows(message) -> list[str]:
    return sorted(PersonalLink.objects.filter(message=message).values_list("purpose", flat=True))


@pytest.mark.django_db(transaction=True)  # autocommit, as the worker runs: no test transaction
def test_sending_a_confirmation_asks_postgresql_five_times(event, person):
    message = _confirmation(event, person)

    with CaptureQueriesContext(connection) as queries:
        assert send_due() == 1

    verbs = [q["sql"].split(" ", 1)[0] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        # The claim, the registration, the hand-over with the link and the check-in code (one
        # statement, its own transaction), "sent", the look for due bulk mail.
        assert verbs == ["WITH", "SELECT", "WITH", "UPDATE", "SELECT"]
        [hand_over] = [q["sql"] for q in queries.captured_queries if "SET handed_over_at =" in q["sql"]]
        assert hand_over.count("INSERT INTO") == 2 and hand_over.count("ON CONFLICT DO NOTHING") == 1
    else:
        # SQLite keeps the transaction (no INSERT in a CTE there).
        assert verbs == [
            "UPDATE",
            "SELECT",
            "BEGIN",
            "INSERT",
            "INSERT",
            "UPDATE",
            "COMMIT",
            "UPDATE",
            "SELECT",
        ]
    message.refresh_from_db()
    assert (message.status, _link_rows(message)) == (MessageStatus.SENT, ["checkin", "manage"])


@pytest.mark.django_db(transaction=True)
def test_a_link_that_cannot_be_stored_stores_nothing_and_the_message_is_retried(event, person, monkeypatch):
    # The personal link's plain INSERT fails (its hash is stored already: the IntegrityError a
    # plain INSERT raises): the check-in code's INSERT and the hand-over are not committed either.
    taken = "A" * 32
    other = _confirmation(event, person, "bo@example.se")
    links.store_link(
        registration=_registration("bo@example.se"),
        token_hash=links.link_hash(taken, LinkPurpose.MANAGE),
        purpose=LinkPurpose.MANAGE,
    )
    OutboxMessage.objects.filter(pk=other.pk).update(status=MessageStatus.SENT)
    message = _confirmation(event, person)
    monkeypatch.setattr(links, "new_token", lambda: taken)

    assert send_due() == 0

    message.refresh_from_db()
    assert (message.status, message.handed_over_at) == (MessageStatus.QUEUED, None)
    assert "IntegrityError" in message.last_error
    assert (_link_rows(message), mail.outbox) == ([], [])

    monkeypatch.undo()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert send_due() == 1
    assert _link_rows(message) == ["checkin", "manage"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_check_in_code_stored_already_is_kept_and_the_message_goes(event, person):
    # The check-in code's INSERT does nothing when its hash is stored (the code shown on the
    # personal page before the mail went): the hand-over and the personal link go on.
    from frukost.checkin.codes import issue_code

    message = _confirmation(event, person)
    registration = _registration("anna@example.se")
    issue_code(registration)

    assert send_due() == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.handed_over_at is not None
    assert _link_rows(message) == ["manage"]
    assert sorted(
        PersonalLink.objects.filter(registration=registration).values_list("purpose", flat=True)
    ) == [
        "checkin",
        "manage",
    ]


def _registration(address):
    from frukost.registrations.models import Registration

    return Registration.objects.get(email=address)
