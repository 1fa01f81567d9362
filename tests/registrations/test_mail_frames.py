"""Mail composed from cached frames (mail/frames.py) is exactly the mail the templates render in
full, for every kind, person, language, status and event; never stale, never another's."""

from __future__ import annotations

import copy
import datetime as dt
import re
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations import notifications
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import stockholm

pytestmark = pytest.mark.django_db

_STAMP = re.compile(r"\r\nDTSTAMP:[0-9TZ]+\r\n")

# Letters of Swedish names, what HTML escapes, apostrophes, the frames' own marker characters.
_LETTERS = "{}AaBbÅåÄäÖöÉéüØ'’\"<>&;:/ -.\u00a0\ue000\ue0011"
NAMES = st.one_of(
    st.just(""),
    st.sampled_from(["Anna", "Åsa-Britt", "O'Neill", "Zoë", "<b>Eva</b>", "Bo & Co"]),
    st.text(alphabet=_LETTERS, max_size=30),
    st.text(alphabet=_LETTERS, min_size=150, max_size=260),
)
TEXTS = st.one_of(st.just(""), st.text(alphabet=_LETTERS + "www.x.se@", max_size=80))
MOMENTS = st.one_of(st.none(), st.sampled_from([stockholm(2029, 4, 23, 10), stockholm(2029, 5, 2, 23, 59)]))


@st.composite
def cases(draw):
    return {
        "person": {
            "first_name": draw(NAMES),
            "language": draw(st.sampled_from(["sv", "en"])),
            "status": draw(st.sampled_from(list(Status))),
            "confirmed_at": draw(MOMENTS),
            "hold_expires_at": draw(MOMENTS),
            "offer_expires_at": draw(MOMENTS),
            "invited_by_name": draw(st.one_of(st.just(""), NAMES)),
            "colleague_names": "\n".join(draw(st.lists(NAMES.filter(bool), max_size=3))),
        },
        "event": {
            "title": draw(st.one_of(st.just("Chefsfrukost: Leda med tillit"), TEXTS.filter(bool))),
            "online": draw(st.booleans()),
            "online_url": draw(st.sampled_from(["", "https://meet.example/?a=1&b=<2>"])),
            "doors_at": draw(st.sampled_from([None, stockholm(2029, 5, 16, 7, 30)])),
            "venue_name": draw(TEXTS),
            "street_address": draw(TEXTS),
            "gift": draw(TEXTS),
            "contact_name": draw(TEXTS),
            "contact_email": draw(st.sampled_from(["", "julia.walbrink@akademssr.se"])),
            "contact_phone": draw(st.sampled_from(["", "070-123 45 67"])),
            "confirm_email": draw(st.booleans()),
            "status": draw(st.sampled_from(["published", "cancelled"])),
        },
        "organisation": {
            "name": draw(st.sampled_from(["Akademikerförbundet SSR", "Ö & Å <AB> \"Q\" 'q'"])),
            "colour": draw(st.sampled_from(["#1d5c8c", "#a0522d"])),
        },
    }


def _variant(registration: Registration, case: dict) -> Registration:
    """The registration as the case has it, in memory, with its event and organisation copied:
    the same ids with other facts, as after an edit."""
    organisation = copy.copy(registration.event.organisation)
    for field, value in case["organisation"].items():
        setattr(organisation, field, value)
    event = copy.copy(registration.event)
    for field, value in case["event"].items():
        setattr(event, field, value)
    event.organisation = organisation
    shown = copy.copy(registration)
    for field, value in case["person"].items():
        setattr(shown, field, value)
    shown.event = event
    return shown


def _compose(registration: Registration, kind: MailKind, *, full: bool):
    composer = notifications._COMPOSERS[kind]
    before = copy.copy(registration.event)
    before.starts_at -= dt.timedelta(days=1)
    before.venue_name = "Gamla <salen>"
    arguments = {"before": before} if kind == MailKind.EVENT_CHANGED else {}
    if full:
        with mock.patch.object(notifications, "_render", notifications._render_full):
            rendered = composer(registration, kind, **arguments)
    else:
        rendered = composer(registration, kind, **arguments)
    return rendered.subject, rendered.body_text, rendered.body_html, _STAMP.sub("\r\n", rendered.ics)


@pytest.fixture
def registered(event, person):
    return register(event=event, person=person("anna@example.se")).registration


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_every_kind_from_its_frame_is_the_full_render_byte_for_byte(registered, case):
    shown = _variant(registered, case)
    for kind in notifications._COMPOSERS:
        _assert_framed_is_full(shown, kind)


def _assert_framed_is_full(registration: Registration, kind: MailKind, *why) -> None:
    try:
        full = _compose(registration, kind, full=True)
    except AttributeError:  # a state _ensure_still_true refuses (no deadline to write)
        with pytest.raises(AttributeError):
            _compose(registration, kind, full=False)
        return
    assert _compose(registration, kind, full=False) == full, (kind, *why)


def _changed(field, value):
    if field.choices:
        return next(choice for choice, _label in field.choices if choice != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, dt.datetime | dt.date):
        return value + dt.timedelta(days=1, hours=1)
    if isinstance(value, dt.time):
        return dt.time((value.hour + 1) % 24, value.minute)
    if field.get_internal_type() == "SlugField":
        return f"{value}-2"
    if isinstance(value, str):
        return f"{value}-ändrad <&>" if value else "ny <&>"
    return None


@pytest.mark.parametrize("model", ["event", "organisation"])
def test_any_fact_changed_in_memory_shows_in_the_next_message(registered, model):
    """A field the templates read that the frame's key left out would show its old value here."""
    registered.confirmed_at = registered.offer_expires_at = stockholm(2029, 4, 20, 10)
    for kind in notifications._COMPOSERS:
        _compose(registered, kind, full=False)  # the frames of the facts as they were
    target = registered.event if model == "event" else registered.event.organisation
    for field in type(target)._meta.concrete_fields:
        if field.is_relation or field.primary_key or field.attname == "updated_at":
            continue
        value = _changed(field, getattr(target, field.attname))
        if value is None:
            continue
        shown = copy.copy(registered)
        event = copy.copy(registered.event)
        organisation = copy.copy(registered.event.organisation)
        setattr(event if model == "event" else organisation, field.attname, value)
        event.organisation = organisation
        shown.event = event
        for kind in notifications._COMPOSERS:
            _assert_framed_is_full(shown, kind, field)


def _composed(kind: MailKind, address: str):
    message = OutboxMessage.objects.filter(to=address, kind=kind).latest("pk")
    return notifications.render_message(message)


def test_after_an_edit_the_next_message_has_the_new_facts_and_each_person_their_own(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=event, person=person("cilla@example.se", first_name="Cilla"))
    anna = _composed(MailKind.CONFIRMATION, "anna@example.se")
    cilla = _composed(MailKind.CONFIRMATION, "cilla@example.se")
    for body in (anna.body_text, anna.body_html):
        assert "Hej Anna!" in body and "Bo Ek" in body and "Cilla" not in body
    for body in (cilla.body_text, cilla.body_html):
        assert "Hej Cilla!" in body and "Bo Ek" not in body and "Anna" not in body

    event.title = "Frukost om lön"
    event.venue_name = "Elite Hotel"
    event.starts_at += dt.timedelta(hours=1)
    event.ends_at += dt.timedelta(hours=1)
    event.save()
    again = _composed(MailKind.CONFIRMATION, "cilla@example.se")
    for body in (again.body_text, again.body_html):
        assert "Frukost om lön" in body and "Elite Hotel" in body and "09.00–10.30" in body
        assert "Chefsfrukost" not in body and "Scandic" not in body

    # Written past save(), so updated_at is not raised: still the new facts.
    type(event).objects.filter(pk=event.pk).update(venue_name="Clarion")
    bulk = _composed(MailKind.CONFIRMATION, "cilla@example.se")  # the frame of `again`'s shape
    for body in (bulk.body_text, bulk.body_html):
        assert "Clarion" in body and "Elite Hotel" not in body
    # A new address for the event page, in bulk too: the calendar's link follows.
    type(event).objects.filter(pk=event.pk).update(slug="frukost-om-lon")
    moved = _composed(MailKind.CONFIRMATION, "cilla@example.se")
    assert "/frukost-om-lon/" in moved.ics.replace("\r\n ", "")
    for text in (moved.body_text, moved.body_html, moved.ics.replace("\r\n ", "")):
        assert f"/{event.slug}/" not in text

    event.organisation.name = "Sveriges Ingenjörer"
    event.organisation.save()
    for address, greeting in (("cilla@example.se", "Hej Cilla!"), ("anna@example.se", "Hej Anna!")):
        last = _composed(MailKind.CONFIRMATION, address)
        for body in (last.body_text, last.body_html):
            assert "Sveriges Ingenjörer" in body and "Akademikerförbundet" not in body
            assert greeting in body and "Clarion" in body


def test_a_frame_the_events_text_would_confuse_is_not_used(registered):
    registered.event.title = "Frukost \ue0003\ue001"  # a marker, as if the organiser typed one
    with mock.patch.object(notifications, "_render_full", wraps=notifications._render_full) as full:
        rendered = notifications._COMPOSERS[MailKind.CONFIRMATION](registered, MailKind.CONFIRMATION)
    assert full.called
    assert "Frukost \ue0003\ue001" in rendered.body_text
