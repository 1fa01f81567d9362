from __future__ import annotations

import datetime as dt
import email
import itertools
from email import policy
from pathlib import Path

import pytest

from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event, Organisation
from frukost.mail.models import OutboxMessage
from frukost.mail.renderers import NoLongerTrue, personalise, render_pending
from frukost.registrations.services import Answers, ColleagueData, PersonData

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _mail_dir(tmp_path, settings):
    """Each test gets its own mail directory for the .eml backend."""
    settings.MAIL_DIR = tmp_path / "mail"
    return settings.MAIL_DIR


@pytest.fixture(autouse=True)
def _erasure_journal(tmp_path, settings):
    """Each test gets its own erasure journal (core.erasure_journal)."""
    settings.FRUKOST_ERASURE_JOURNAL = tmp_path / "erasures.log"
    return settings.FRUKOST_ERASURE_JOURNAL


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """Cached page fragments, mail frames, calendar parts and sign-in throttle counts must not leak
    from one test into the next.

    The default cache is the database cache, as in production: a test in a transaction leaves
    nothing behind, one that commits (live server, races) empties it when done.
    """
    from django.core.cache import caches

    from frukost.mail import ical
    from frukost.public import page_cache
    from frukost.registrations import links, notifications

    caches["fragments"].clear()
    links._around_token.cache_clear()
    page_cache.clear()
    notifications._frames.clear()
    with ical._built_lock:
        ical._built.clear()
    yield
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker and marker.kwargs.get("transaction")
    ):
        with django_db_blocker.unblock():
            caches["default"].clear()


@pytest.fixture
def mail_dir(_mail_dir) -> Path:
    return _mail_dir


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Akademikerförbundet SSR", slug="akademikerforbundet-ssr")


def stockholm(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def event_factory(organisation):
    def make(**overrides) -> Event:
        number = next(_numbers)
        fields = {
            "organisation": organisation,
            "slug": f"chefsfrukost-{number}",
            "status": EventStatus.PUBLISHED,
            "title": "Chefsfrukost: Leda med tillit",
            "host_name": "Hanna Broberg",
            "host_role": "chefsstrateg på Akademikerförbundet SSR",
            "lead": "Allt fler pratar om tillit.",
            "starts_at": stockholm(2029, 5, 16, 8, 0),
            "ends_at": stockholm(2029, 5, 16, 9, 30),
            "doors_at": stockholm(2029, 5, 16, 7, 30),
            "venue_name": "Scandic Sundsvall City",
            "street_address": "Trädgårdsgatan 31-33",
            "city": "Sundsvall",
            "registration_deadline": dt.date(2029, 5, 1),
            "capacity": 60,
            "max_colleagues": 1,
            "gift": "boken Leda med tillit",
            "contact_name": "Julia Wålbrink",
            "contact_email": "julia.walbrink@akademssr.se",
        }
        fields.update(overrides)
        return Event.objects.create(**fields)

    return make


@pytest.fixture
def event(event_factory) -> Event:
    return event_factory()


def make_person(
    address: str, *, first_name="Anna", last_name="Svensson", language="sv", **answers
) -> PersonData:
    answers.setdefault("membership", "member")
    return PersonData(
        first_name=first_name,
        last_name=last_name,
        email=address,
        language=language,
        answers=Answers(**answers),
    )


@pytest.fixture
def person():
    return make_person


@pytest.fixture
def colleague():
    def make(address: str, first_name="Bo", last_name="Ek") -> ColleagueData:
        return ColleagueData(first_name=first_name, last_name=last_name, email=address)

    return make


def rendered(messages) -> list[OutboxMessage]:
    """Compose queued messages as the worker does just before sending, so tests can read them.

    Like the worker, leaves out a message that is no longer true (the person cancelled since it
    was queued, …): see `worker_keeps_up` for scenarios in which mail goes out between steps.
    The bodies stored in the outbox carry placeholders for personal links; the returned messages
    carry real links, minted as the worker mints them when it hands a message over (not saved).
    """
    composed = []
    for message in messages:
        try:
            render_pending(message)
        except NoLongerTrue:
            continue
        message.body_text, message.body_html = personalise(message)
        composed.append(message)
    return composed


def worker_keeps_up() -> None:
    """Compose every message queued so far, as a worker that sends at once would have."""
    rendered(OutboxMessage.objects.filter(rendered_at__isnull=True).order_by("created_at", "id"))


def outbox_for(address: str) -> list[OutboxMessage]:
    return rendered(OutboxMessage.objects.filter(to=address).order_by("created_at", "id"))


def read_eml_files(directory: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(directory.glob("*.eml"))
    ]


@pytest.fixture
def frozen(time_machine):
    """Move the clock to a Stockholm wall-clock time: frozen("2029-05-01 23:59")."""

    def travel(when: str):
        moment = dt.datetime.fromisoformat(when).replace(tzinfo=STOCKHOLM)
        time_machine.move_to(moment, tick=False)
        return moment

    return travel


TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # base32; fixed so a browser test can compute the codes


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The current six-digit code an authenticator app would show for the secret.

    Like a person who sees the code about to change, it waits for the next one when fewer than
    three seconds are left: a code typed at the end of its period is stale by the time it arrives
    (allauth allows no drift), which made sign-ins in the browser tests fail now and then.
    """
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 3:
        time.sleep(left + 0.1)

    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def staff_factory(db, organisation):
    """A back-office person with a role in an organisation (the test's own by default).

    Owners, organisers and representatives get a TOTP authenticator unless `two_factor=False`, as
    the back office requires; door staff get none unless asked. The password is "ett-langt-losenord".
    """
    from allauth.mfa.totp.internal.auth import TOTP

    from frukost.accounts.services import add_member, create_person

    def make(role="organiser", email=None, *, of=None, two_factor=None, events=()):
        email = email or f"{role}-{next(_numbers)}@example.se"
        user = create_person(email=email, password="ett-langt-losenord")
        member = add_member(organisation=of or organisation, user=user, role=role)
        member.events.set(events)
        if two_factor if two_factor is not None else role in ("owner", "organiser", "representative"):
            TOTP.activate(user, TOTP_SECRET)
        return user

    return make


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a complete sign-in: password and, for a person who has
    one, the second factor (the back office asks the session for it). Tests of the sign-in itself
    go through the real forms."""
    from django.test import Client

    from frukost.backoffice.signals import SECOND_FACTOR

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[SECOND_FACTOR] = True
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
