"""Delivering the outbox: claim, send, retry with backoff, recover from crashed workers.

Several workers share the queue. A worker claims a few due messages (ten) in one statement that
marks them "sending" and returns them (`UPDATE … RETURNING`): on PostgreSQL the candidates are
chosen `FOR UPDATE SKIP LOCKED`, so two workers never wait for each other nor take the same row;
on SQLite (one writer at a time anyway) the statement holds the write lock. The worker's own
statements are built once per process and connection (`_Statements`).

Each round takes up to `limit` due transactional messages, then bulk ones: at most
FRUKOST_MAIL_BULK_BATCH a round and FRUKOST_MAIL_BULK_PER_MINUTE a minute for all the workers
together (counted in the database: the bulk messages claimed in the last 60 seconds, under a lock
so two workers cannot both spend the same allowance). Transactional mail is never limited.

Just before a message goes to the mail server its `handed_over_at` is set and committed, with the
links and check-in code minted for it (one transaction, `with_hand_over`; on PostgreSQL one
statement, `_Statements._joined`). A message
left in "sending" by a worker that died is looked at after FRUKOST_MAIL_STUCK_AFTER_SECONDS: never
handed over, it is queued again (nothing left the building); handed over, a transactional message
is queued again (a person's own confirmation: at least once) and a bulk one is failed as "may have
been delivered; not sent again" (a crash in the middle of a send to 3,000 sends nobody twice).

Which clock: every decision about time in the queue (is it due, is it stuck, how many bulk
messages went out this minute) compares times written by the worker. With several workers on
several machines their clocks differ, so with FRUKOST_WORKER_CLOCK=database (the default) on
PostgreSQL those times are written and compared with the database's clock (`Now()`, one clock for
every worker); a message never tried yet is due at once, so the web server's clock (which wrote its
creation time) does not matter either. `process` uses each worker's own clock (`timezone.now()`):
the test suite chooses it because it freezes Python's clock (time_machine, often in 2029) while
the database's runs on; SQLite, on the worker's own machine, always uses it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
import smtplib
import threading
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, get_connection
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from frukost.core import rounds
from frukost.core.sql import per_connection
from frukost.mail.enums import FORGET_RECIPIENT_KINDS, MessageStatus, Priority
from frukost.mail.mime import Email as _Email
from frukost.mail.mime import calendar_part as _calendar_part
from frukost.mail.models import OutboxMessage
from frukost.mail.renderers import (
    NoLongerTrue,
    NothingToRender,
    compose,
    discard_links,
    personalise_with_images,
)

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600
STOPPED_WHILE_SENDING = "worker stopped while sending"
HANDED_OVER_BEFORE_STOPPING = (
    "worker stopped after handing it to the mail server: may have been delivered; not sent again"
)
# Transactional messages claimed at a time on PostgreSQL: few, so a worker that dies holds few,
# and two workers both get some of a burst.
CLAIM_CHUNK = 10
# The pg_advisory_xact_lock key under which the bulk allowance is counted and spent.
BULK_RATE_LOCK = 0x6672756B  # "fruk"


class PermanentFailure(Exception):
    """Retrying cannot help: the server refused the message for good (a 5xx answer), or the
    message itself cannot be sent (an invalid address, a header with a newline)."""

    def __init__(self, *args, bounced: bool = False):
        super().__init__(*args)
        # The mail server refused the recipient's address with a 5xx: a hard bounce.
        self.bounced = bounced


# Called as fn(message, error) when the mail server refuses a recipient for good (a hard bounce):
# the apps that know whose mail it was put the address on the organisation's do-not-mail list.
_bounce_hooks: list = []


def register_bounce_hook(hook) -> None:
    if hook not in _bounce_hooks:
        _bounce_hooks.append(hook)


def _bounced(message: OutboxMessage, error: str) -> None:
    for hook in _bounce_hooks:
        try:
            hook(message, error)
        except Exception:  # a hook's failure must not keep the message from being recorded as failed
            logger.exception("bounce hook failed for mail %s", message.pk)


def database_clock() -> bool:
    """Whether the queue's times are the database's (see the module's docstring)."""
    return settings.FRUKOST_WORKER_CLOCK == "database" and connection.vendor == "postgresql"


def _now(now: dt.datetime | None = None):
    """The present for a query or an UPDATE: a given moment, the database's clock, or this process's."""
    if now is not None:
        return now
    return Now() if database_clock() else timezone.now()


def requeue_stuck(*, now: dt.datetime | None = None) -> int:
    """Recover the messages a crashed worker left in "sending"; returns how many were queued again.

    Never handed over to the mail server: queued again. Handed over: a transactional message is
    queued again (at least once: a confirmation must arrive), a bulk one is failed without being
    sent again (an invitation must not arrive twice).
    """
    limit = _now(now) - dt.timedelta(seconds=settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS)
    # Unordered (the model's default order would sort the whole outbox by created_at): each
    # message is dealt with on its own, and outbox_sending finds them.
    stuck = OutboxMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=limit).order_by()
    # A message that keeps killing its worker (or always hangs) must not come back forever.
    given_up = 0
    reason = f"gave up after {settings.FRUKOST_MAIL_MAX_ATTEMPTS} attempts: {STOPPED_WHILE_SENDING}"
    for message in stuck.filter(attempts__gte=settings.FRUKOST_MAIL_MAX_ATTEMPTS):
        _fail(message, reason)  # one by one: each takes its bodies, links and forgotten address with it
        given_up += 1
    for message in stuck.filter(priority__gte=Priority.BULK, handed_over_at__isnull=False):
        _fail(message, HANDED_OVER_BEFORE_STOPPING)
        given_up += 1
    if given_up:
        logger.error("gave up on %d message(s) stuck in sending", given_up)
    count = stuck.update(
        status=MessageStatus.QUEUED, next_attempt_at=_now(now), last_error=STOPPED_WHILE_SENDING
    )
    if count:
        logger.warning("re-queued %d message(s) stuck in sending", count)
    return count


def claim(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Claim one queued message with a conditional UPDATE (whichever worker runs it first wins)."""
    return bool(
        OutboxMessage.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING,
            claimed_at=_now(now),
            handed_over_at=None,
            attempts=F("attempts") + 1,
        )
    )


# --- The worker's own statements, built once per process and connection ----------------------
# The ORM spent more CPU building the claim, the hand-over and the outcome's UPDATEs than the
# database spent running them (benchmarks/README.md, issue 10: "The worker's own writes").
_FIELDS = [field.attname for field in OutboxMessage._meta.concrete_fields]


class _Statements:
    """The SQL of one connection's claims and writes, in its vendor's dialect.

    Built from constants and quoted names only (no value is ever formatted into it): the values
    are parameters. Where the database's clock is the queue's (see `_now`), "now" is
    STATEMENT_TIMESTAMP() in the SQL instead of a parameter.
    """

    def __init__(self, db):
        self.db = db
        meta = OutboxMessage._meta
        quote = db.ops.quote_name
        table = quote(meta.db_table)
        columns = ", ".join(quote(meta.get_field(name).column) for name in _FIELDS)
        self.compiler = OutboxMessage.objects.all().query.get_compiler(connection=db)
        self.converters = self.compiler.get_converters(
            [meta.get_field(name).get_col(meta.db_table) for name in _FIELDS]
        )
        postgresql = db.vendor == "postgresql"
        sending, queued, sent = MessageStatus.SENDING, MessageStatus.QUEUED, MessageStatus.SENT
        # (bulk, database clock) -> claim up to a limit of the due messages, oldest first, in one
        # statement; the rows come back. Parameters: `now` (unless the database's clock), `limit`.
        # On PostgreSQL the candidates are locked with SKIP LOCKED, so two workers never wait for
        # each other nor take the same row, in a MATERIALIZED CTE: as a plain subquery the planner
        # may scan it again for each row updated, each scan locking the next rows (the limit would
        # not hold). On SQLite the statement holds the write lock, and the subquery is run once.
        self.claim: dict[tuple[bool, bool], str] = {}
        self.bulk_due: dict[bool, str] = {}  # database clock -> is any bulk message due?
        for bulk in (False, True):
            priority = f"priority {'>=' if bulk else '<'} {int(Priority.BULK)}"
            for database in (False, True):
                now = "STATEMENT_TIMESTAMP()" if database else "%(now)s"
                due = (
                    f"(next_attempt_at <= {now} OR attempts = 0)" if database else f"next_attempt_at <= {now}"
                )
                if bulk:
                    self.bulk_due[database] = (
                        f"SELECT 1 FROM {table} WHERE status = '{queued}' AND {priority}"  # noqa: S608
                        f" AND {due} LIMIT 1"
                    )
                candidates = (
                    f"SELECT id FROM {table} WHERE status = '{queued}' AND {priority}"  # noqa: S608 - no input
                    f" AND {due} ORDER BY next_attempt_at, id LIMIT %(limit)s"
                )
                update = (
                    f"UPDATE {table} SET status = '{sending}', claimed_at = {now},"  # noqa: S608 - no input
                    " handed_over_at = NULL, attempts = attempts + 1"
                )
                if postgresql:
                    self.claim[bulk, database] = (
                        f"WITH due AS MATERIALIZED ({candidates} FOR UPDATE SKIP LOCKED) {update}"  # noqa: S608
                        f" WHERE id IN (SELECT id FROM due) AND status = '{queued}' RETURNING {columns}"
                    )
                else:
                    self.claim[bulk, database] = (
                        f"{update} WHERE id IN ({candidates}) AND status = '{queued}' RETURNING {columns}"
                    )
        # (with the subject composed now, database clock) -> the hand-over. Its parameters and
        # sent's are named, as the claims' are: Django's SQLite cursor rewrites a statement with
        # named parameters by one `%` formatting, positional ones by a slower regular expression
        # (frukost.core.sql).
        self.hand_over_sql: dict[tuple[bool, bool], str] = {}
        for with_subject in (False, True):
            subject = ", subject = %(subject)s, rendered_at = %(rendered_at)s" if with_subject else ""
            for database in (False, True):
                now = "STATEMENT_TIMESTAMP()" if database else "%(now)s"
                self.hand_over_sql[with_subject, database] = (
                    f"UPDATE {table} SET handed_over_at = {now}{subject} WHERE id = %(id)s"  # noqa: S608
                )
        self.postgresql = postgresql
        self._joined_sql: dict = {}  # (write statements, hand-over statement) -> see _joined
        # forget the recipient -> sent: no bodies kept.
        self.sent_sql: dict[bool, str] = {}
        for forget_recipient in (False, True):
            forget = f", {quote('to')} = '', reply_to = ''" if forget_recipient else ""
            self.sent_sql[forget_recipient] = (
                f"UPDATE {table} SET status = '{sent}', sent_at = %(sent_at)s, last_error = '',"  # noqa: S608
                f" body_text = '', body_html = '', ics = ''{forget} WHERE id = %(id)s"
            )

    def claimed(self, *, bulk: bool, count: int, now: dt.datetime | None) -> list[OutboxMessage]:
        """Claim up to `count` due messages; returns them as claimed, the oldest due first."""
        database = now is None and database_clock()
        params = {"limit": count}
        if not database:
            params["now"] = self.db.ops.adapt_datetimefield_value(now or timezone.now())
        with self.db.cursor() as cursor:
            cursor.execute(self.claim[bulk, database], params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        messages = [OutboxMessage.from_db(self.db.alias, _FIELDS, row) for row in rows]
        # RETURNING gives no order: the oldest due first, as they were chosen.
        return sorted(messages, key=lambda message: (message.next_attempt_at, message.pk))

    def any_bulk_due(self, *, now: dt.datetime | None) -> bool:
        database = now is None and database_clock()
        params = {} if database else {"now": self.db.ops.adapt_datetimefield_value(now or timezone.now())}
        with self.db.cursor() as cursor:
            cursor.execute(self.bulk_due[database], params)
            return cursor.fetchone() is not None

    def hand_over(self, message: OutboxMessage, *, with_subject: bool, writes=()) -> None:
        """Record (committed) that the message goes to the mail server now; with the subject
        composed for it, which the back office and an inviter's erasure look at. `writes`, the
        INSERTs of the links and check-in code minted for it (`with_hand_over`), are committed
        with it, in one transaction: one commit a message where there were three (on PostgreSQL in
        one statement: one round trip where there were five)."""
        database = database_clock()
        params = {"id": message.pk}
        if not database:
            params["now"] = self.db.ops.adapt_datetimefield_value(timezone.now())
        if with_subject:
            params["subject"] = message.subject
            params["rendered_at"] = self.db.ops.adapt_datetimefield_value(message.rendered_at)
        if not writes:
            with self.db.cursor() as cursor:
                cursor.execute(self.hand_over_sql[with_subject, database], params)
            return
        joined = self.postgresql and self._joined(tuple(sql for sql, _ in writes), with_subject, database)
        if joined:
            # One statement, so one round trip where BEGIN, each INSERT, the UPDATE and COMMIT
            # were one each; a statement is atomic on its own, so what is committed (the links
            # with the hand-over, or nothing) is what the transaction committed. Inside a
            # caller's transaction (tests) a savepoint keeps a failure from ending it, as the
            # nested atomic() did.
            sql, renames = joined
            for index, (_, write_params) in enumerate(writes):
                params.update((renames[index][key], value) for key, value in write_params.items())
            inside = transaction.atomic(using=self.db.alias) if self.db.in_atomic_block else nullcontext()
            with inside, self.db.cursor() as cursor:
                cursor.execute(sql, params)
            return
        with transaction.atomic(using=self.db.alias), self.db.cursor() as cursor:
            for sql, write_params in writes:
                cursor.execute(sql, write_params)
            cursor.execute(self.hand_over_sql[with_subject, database], params)

    def _joined(self, sqls: tuple[str, ...], with_subject: bool, database: bool):
        """The hand-over with its writes as one PostgreSQL statement, each write a data-modifying
        CTE (run exactly once, to completion, whether or not anything reads it): `WITH w0 AS
        (INSERT …), w1 AS (INSERT … ON CONFLICT DO NOTHING) UPDATE … handed_over_at …`, and per
        write the names its parameters take in it (`p0` -> `w0_p0`). None when a write's
        parameters are not all named (`%(name)s`, frukost.core.sql): then the transaction as before.
        A plain INSERT's unique violation still fails the whole statement (nothing stored, the
        IntegrityError raised), an `ON CONFLICT DO NOTHING` one still stores nothing and goes on.
        Kept per shape: the same text each time, which psycopg prepares."""
        key = (sqls, self.hand_over_sql[with_subject, database])
        if key not in self._joined_sql:
            self._joined_sql[key] = _join_writes(*key)
        return self._joined_sql[key]

    def sent(self, pk: int, sent_at: dt.datetime, *, forget_recipient: bool) -> None:
        """Record a message as sent: no bodies kept, and no address for the kinds that forget it."""
        with self.db.cursor() as cursor:
            cursor.execute(
                self.sent_sql[forget_recipient],
                {"sent_at": self.db.ops.adapt_datetimefield_value(sent_at), "id": pk},
            )


# --- The writes that go with a hand-over --------------------------------------------------------
# The links and the check-in code minted for a message as it is handed over are stored with its
# hand-over, in one transaction (`_Statements.hand_over`): on SQLite each commit by the worker
# makes every web worker's connection read again the pages it had cached, and each commit writes
# its pages to the WAL anew (benchmarks/README.md, "Fourth pass: the worker beside the web").
# Crash semantics are unchanged where they matter: the hand-over is committed before the mail
# server sees the message, and a link is stored exactly when its message's hand-over is; a
# message that fails before its hand-over leaves no link behind (none was stored).
_handing_over = threading.local()


def with_hand_over(db, sql: str, params) -> None:
    """Run a write that belongs to the message this thread is handing over (the INSERT of a link
    or a check-in code minted for it) in that message's hand-over transaction; at once, in
    autocommit as before, when no message is being handed over on this connection (a link minted
    for a page, a job, a test)."""
    pending = getattr(_handing_over, "pending", None)
    if pending is not None and pending[0] is db:
        pending[1].append((sql, params))
        return
    with db.cursor() as cursor:
        cursor.execute(sql, params)


_NAMED = re.compile(r"%\((\w+)\)s")


def _join_writes(sqls: tuple[str, ...], hand_over_sql: str):
    """See `_Statements._joined`."""
    parts, renames = [], []
    for index, sql in enumerate(sqls):
        found = _NAMED.findall(sql)
        if not found or sql.count("%") != len(found):
            return None
        renames.append({name: f"w{index}_{name}" for name in found})
        parts.append(f"w{index} AS ({_NAMED.sub(lambda match, i=index: f'%(w{i}_{match[1]})s', sql)})")
    return f"WITH {', '.join(parts)} {hand_over_sql}", renames


@per_connection
def _statements(db) -> _Statements:
    # Kept on the connection (core.sql.per_connection): one per thread, never serving another.
    return _Statements(db)


def _claim_due(*, bulk: bool, count: int, now: dt.datetime | None) -> list[OutboxMessage]:
    """Claim up to `count` due messages (oldest first) in one statement; returns them as claimed."""
    if count <= 0:
        return []
    return _statements(connections[DEFAULT_DB_ALIAS]).claimed(bulk=bulk, count=count, now=now)


def claim_transactional(count: int, *, now: dt.datetime | None = None) -> list[int]:
    """Claim up to `count` due transactional messages; returns their ids."""
    return [message.pk for message in _claim_transactional(count, now=now)]


def _claim_transactional(count: int, *, now: dt.datetime | None) -> list[OutboxMessage]:
    return _claim_due(bulk=False, count=count, now=now)


def claim_bulk(count: int, *, now: dt.datetime | None = None) -> list[int]:
    """Claim up to `count` due bulk messages, within what FRUKOST_MAIL_BULK_PER_MINUTE leaves;
    returns their ids."""
    return [message.pk for message in _claim_bulk(count, now=now)]


def _claim_bulk(count: int, *, now: dt.datetime | None) -> list[OutboxMessage]:
    """The allowance is counted and spent in one transaction that only one worker at a time can be
    in (an advisory lock on PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock).
    Nothing due (the idle worker's every round): one cheap SELECT, no transaction, no lock.
    """
    if count <= 0 or not _any_bulk_due(now):
        return []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BULK_RATE_LOCK])
        per_minute = settings.FRUKOST_MAIL_BULK_PER_MINUTE
        if per_minute > 0:
            recent = OutboxMessage.objects.filter(
                priority__gte=Priority.BULK, claimed_at__gt=_now(now) - dt.timedelta(seconds=60)
            ).count()
            count = min(count, per_minute - recent)
        return _claim_due(bulk=True, count=count, now=now)


def _any_bulk_due(now: dt.datetime | None) -> bool:
    return _statements(connections[DEFAULT_DB_ALIAS]).any_bulk_due(now=now)


def send_due(*, limit: int = 50, now: dt.datetime | None = None) -> int:
    """Send the messages whose time has come; returns how many were sent.

    Each round takes up to `limit` transactional messages first (a registration's own mail),
    then bulk messages (at most FRUKOST_MAIL_BULK_BATCH, within FRUKOST_MAIL_BULK_PER_MINUTE):
    a send to 3,000 attendees goes out a batch per round and never holds a confirmation queued
    after it. `now` (a test's) replaces the clock for every decision.
    """
    sent = 0
    connection_ = None
    try:
        # A few at a time, each chunk sent before the next is claimed: a worker holds few
        # messages that another could be sending.
        taken = 0
        while taken < limit:
            chunk = min(CLAIM_CHUNK, limit - taken)
            messages = _claim_transactional(chunk, now=now)
            if not messages:
                break
            taken += len(messages)
            connection_ = connection_ or get_connection()
            sent += _deliver_all(messages, connection_)
            if len(messages) < chunk:
                # Fewer were due than asked for: no claim again for what came in meanwhile (on
                # SQLite an empty claim still takes the write lock); the next round sends it.
                break
        messages = _claim_bulk(settings.FRUKOST_MAIL_BULK_BATCH, now=now)
        if messages:
            connection_ = connection_ or get_connection()
            sent += _deliver_all(messages, connection_)
    finally:
        if connection_ is not None:
            try:
                connection_.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not hide the real error
                logger.debug("closing the mail connection failed", exc_info=True)
    return sent


def _deliver_all(messages: list[OutboxMessage], connection_) -> int:
    # The messages of one claim are one round (core.rounds): what they share, such as the event
    # they are about, is read once and checked, not read again for each (registrations.queries).
    with rounds.round_of_work():
        return sum(deliver(message, connection=connection_) for message in messages)


@dataclass
class _Attempt:
    """What this attempt has composed and stored so far (see `deliver`)."""

    composed: bool = False  # subject and bodies composed now, in memory
    handed_over: bool = False  # the hand-over is stored, with the subject composed now

    def unstored(self, *, bodies: bool) -> list[str]:
        """The fields composed now that the outcome's write must store (`bodies`: for a retry)."""
        if not self.composed:
            return []
        fields = [] if self.handed_over else ["subject", "rendered_at"]
        return [*fields, "body_text", "body_html", "ics"] if bodies else fields


def deliver(message: OutboxMessage, *, connection=None) -> bool:
    """Hand one claimed message to the mail backend and record the outcome.

    Two writes for a message composed and sent now: the hand-over (with the subject composed, and
    `rendered_at`) and the outcome. The bodies are stored only for a message to be retried (it is
    not composed again: the renderer's checks are asked again as the links are minted); a sent or
    failed message keeps none, so none are written to be blanked a moment later.
    """
    # Kept on the message for `_send`, which records the hand-over.
    attempt = message._attempt = _Attempt()
    # The links minted for it wait for its hand-over (`with_hand_over`); dropped if it never comes.
    _handing_over.pending = (connections[DEFAULT_DB_ALIAS], [])
    try:
        try:
            attempt.composed = compose(message)
            _send(message, connection)
        finally:
            _handing_over.pending = None
    except NoLongerTrue as exc:
        _skip(message, str(exc), attempt)
        return False
    except NothingToRender as exc:
        _fail(message, str(exc), attempt)
        return False
    except PermanentFailure as exc:
        # Before _fail, which forgets the address of the kinds that must not keep it.
        if exc.bounced:
            _bounced(message, without_addresses(str(exc)))
        _fail(message, str(exc), attempt)
        return False
    except (smtplib.SMTPException, OSError) as exc:  # OSError covers refused connections and timeouts
        _retry_later(message, f"{type(exc).__name__}: {smtp_error_text(exc)}", attempt)
        return False
    except Exception as exc:
        # Anything else (a backend bug, a header the backend rejects) must not leave the message
        # in "sending" or stop the round: the rest of the queue still goes out, and this one is
        # retried until it reaches the maximum number of attempts.
        logger.exception("mail %s raised an unexpected error", message.pk)
        _retry_later(message, f"{type(exc).__name__}: {smtp_error_text(exc)}", attempt)
        return False
    message.status = MessageStatus.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    # Once delivered the bodies need not stay in the database (some kinds carry a secret of
    # their own: an invitation to join, a password reset).
    message.body_text = message.body_html = message.ics = ""
    forget = bool(_forget_recipient(message))
    _statements(connections[DEFAULT_DB_ALIAS]).sent(message.pk, message.sent_at, forget_recipient=forget)
    # One line per message for the operator: its id and kind, never the address or a link.
    logger.info("mail %s sent (%s, attempt %d)", message.pk, message.kind, message.attempts)
    return True


def _forget_recipient(message: OutboxMessage) -> list[str]:
    """Blank the addresses of a message of a kind that must not keep them (see FORGET_RECIPIENT_KINDS);
    returns the fields to save."""
    if message.kind not in FORGET_RECIPIENT_KINDS:
        return []
    message.to = message.reply_to = ""
    return ["to", "reply_to"]


def _check_addresses(message: OutboxMessage) -> None:
    # The SMTP backend would refuse these too, but the file backends would not; and the address
    # itself stays out of the error, which is logged.
    for header, address in (("To", message.to), ("Reply-To", message.reply_to)):
        if header == "Reply-To" and not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise PermanentFailure(f"invalid {header} address") from None


def _unsendable(exc: ValueError) -> PermanentFailure:
    """Describe a message Django cannot build (without repeating the header's value)."""
    if isinstance(exc, BadHeaderError):
        header = re.search(r"for header '([^']*)'", str(exc))
        return PermanentFailure(f"the {header.group(1) if header else 'a'} header contains a newline")
    return PermanentFailure(f"cannot build the message: {type(exc).__name__}: {exc}")


def _send(message: OutboxMessage, connection) -> None:
    _check_addresses(message)
    # The personal links are minted now, as the message is handed over: the stored bodies
    # carry placeholders only (mail.renderers.personalise).
    personalised = personalise_with_images(message)
    body_text, body_html = personalised.body_text, personalised.body_html
    email = _Email(
        subject=message.subject,
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        connection=connection,
        headers=_headers(message, personalised.unsubscribe_url),
    )
    email.inline_images = personalised.inline_images
    if body_html:
        email.attach_alternative(body_html, "text/html")
    if message.ics:
        email.attach(_calendar_part(message.ics))
    # The hand-over, committed before the mail server sees the message: a worker that dies from
    # here on may have delivered it (requeue_stuck).
    attempt = getattr(message, "_attempt", None) or _Attempt()
    db = connections[DEFAULT_DB_ALIAS]
    pending = getattr(_handing_over, "pending", None)
    writes = pending[1] if pending is not None and pending[0] is db else ()
    _statements(db).hand_over(message, with_subject=attempt.composed, writes=writes)
    _handing_over.pending = None  # anything written from here on is written at once
    attempt.handed_over = True
    try:
        email.send()
    except ValueError as exc:  # BadHeaderError, UnicodeError, an address Django cannot encode
        raise _unsendable(exc) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"recipient refused: {smtp_error_text(exc)}", bounced=True) from exc
        raise
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(smtp_error_text(exc), bounced=_names_the_mailbox(exc)) from exc
        raise


def _names_the_mailbox(exc: smtplib.SMTPResponseException) -> bool:
    """Whether a 5xx answer says the recipient's address is bad (a hard bounce), not the sender or
    the content: a refusal after DATA with an enhanced status 5.1.x (RFC 3463: addressing)."""
    if isinstance(exc, smtplib.SMTPSenderRefused) or not isinstance(exc, smtplib.SMTPDataError):
        return False
    return _server_text(exc.smtp_error).startswith("5.1.")


def _headers(message: OutboxMessage, unsubscribe_url: str) -> dict[str, str]:
    headers = {"Auto-Submitted": "auto-generated"}
    if message.list_unsubscribe:
        if not unsubscribe_url:
            raise PermanentFailure("an unsubscribable message without an unsubscribe link")
        # RFC 2369 and RFC 8058: the mail client's one-click button POSTs
        # "List-Unsubscribe=One-Click" to the URL (an HTTPS URL; no mailto: to keep it one click).
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["Precedence"] = "bulk"
    return headers


# An address as SMTP servers quote it (<anna@example.se>) or bare (anna@example.se).
_ADDRESS = re.compile(r"<[^<>\s]*@[^<>\s]*>|[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


def without_addresses(text: str) -> str:
    """The text with every e-mail address in it replaced by "<address>"."""
    return _ADDRESS.sub("<address>", text)


def _server_text(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return without_addresses(" ".join(text.split()))


def smtp_error_text(exc: BaseException) -> str:
    """What an SMTP failure says, fit for the outbox and the log: the codes and the server's text,
    never an address (the refused recipient's would stay in last_error after the row forgot it:
    an erasure receipt's, for one). SMTPRecipientsRefused carries a dict keyed by address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(sorted({f"{code} {_server_text(text)}" for code, text in exc.recipients.values()}))
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_server_text(exc.smtp_error)}"
    return without_addresses(str(exc))


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: 30 s, 1 min, 2 min, … capped at an hour."""
    base = settings.FRUKOST_MAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(base, MAX_BACKOFF_SECONDS) * random.uniform(0.8, 1.2)


def _retry_later(message: OutboxMessage, error: str, attempt: _Attempt | None = None) -> None:
    error = without_addresses(error)
    if message.attempts >= settings.FRUKOST_MAIL_MAX_ATTEMPTS:
        _fail(message, f"gave up after {message.attempts} attempts: {error}", attempt)
        return
    logger.warning("mail %s to be retried: %s", message.pk, error)
    message.status = MessageStatus.QUEUED
    message.last_error = error[:2000]
    message.next_attempt_at = _now() + dt.timedelta(seconds=backoff_seconds(message.attempts))
    # The bodies composed now are kept: the retry sends them as they are (its links minted afresh).
    unstored = attempt.unstored(bodies=True) if attempt else []
    message.save(update_fields=["status", "last_error", "next_attempt_at", *unstored])


def _skip(message: OutboxMessage, reason: str, attempt: _Attempt | None = None) -> None:
    reason = without_addresses(reason)
    logger.info("mail %s not sent: %s", message.pk, reason)
    message.status = MessageStatus.SKIPPED
    message.last_error = reason[:2000]
    _forget(message, attempt)


def _fail(message: OutboxMessage, error: str, attempt: _Attempt | None = None) -> None:
    error = without_addresses(error)
    logger.error("mail %s failed for good: %s", message.pk, error)
    message.status = MessageStatus.FAILED
    message.last_error = error[:2000]
    _forget(message, attempt)


def _forget(message: OutboxMessage, attempt: _Attempt | None = None) -> None:
    """A message that will never be delivered keeps no bodies (an invitation's or a reset's own
    secret may be in them), no personal link minted for it (mail.renderers.discard_links) and, for
    the kinds that must forget it, no address."""
    message.body_text = message.body_html = message.ics = ""
    fields = ["status", "last_error", "body_text", "body_html", "ics"]
    # The subject composed now is kept, as for a sent message (the bodies are not).
    composed = attempt.unstored(bodies=False) if attempt else []
    message.save(update_fields=[*fields, *composed, *_forget_recipient(message)])
    discard_links(message)
