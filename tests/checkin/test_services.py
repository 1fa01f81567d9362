"""Checking in at the door: once per person, whatever the devices do; only people with a seat."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation
from django.utils.crypto import salted_hmac

from frukost.checkin import codes
from frukost.checkin.exceptions import NoSeat, NotCheckedIn
from frukost.checkin.models import CheckIn
from frukost.checkin.services import check_in, door_counts, hand_out_book, undo_book, undo_check_in
from frukost.core.models import AuditLog
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(event_factory):
    event = event_factory(capacity=2)
    anna = register(event=event, person=make_person("anna@example.se")).registration
    bo = register(event=event, person=make_person("bo@example.se", first_name="Bo")).registration
    return anna, bo


def test_second_device_is_told_already_checked_in_in_stockholm_time(seated, staff_factory):
    anna, _ = seated
    first, second = staff_factory("door"), staff_factory("door")

    with translation.override("sv"):
        at = stockholm(2029, 5, 16, 7, 42)
        one = check_in(registration=anna, actor=first, client_id=uuid.uuid4(), at=at)
        two = check_in(registration=anna, actor=second, client_id=uuid.uuid4())
        assert one.message == "Incheckad kl. 07.42."
        assert two.message == "Redan incheckad kl. 07.42."
    assert (one.already, two.already) == (False, True)
    assert CheckIn.objects.count() == 1
    assert two.check_in.checked_in_by == first


def test_a_replayed_client_id_returns_the_same_check_in(seated, staff_factory):
    anna, _ = seated
    door = staff_factory("door")
    client_id = uuid.uuid4()

    one = check_in(registration=anna, actor=door, client_id=client_id)
    again = check_in(registration=anna, actor=door, client_id=str(client_id))

    assert again.check_in.pk == one.check_in.pk
    assert again.already is False  # the same device hearing its own answer again
    assert AuditLog.objects.filter(action="checkin.checked_in").count() == 1


def test_waitlisted_cancelled_and_unconfirmed_people_are_refused(event_factory, colleague, staff_factory):
    event = event_factory(capacity=2)
    register(event=event, person=make_person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    bo = Registration.objects.get(email="bo@example.se")  # invited by Anna, not yet confirmed
    waiting = register(event=event, person=make_person("cilla@example.se", first_name="Cilla")).registration
    gone = register(event=event, person=make_person("dan@example.se", first_name="Dan")).registration
    cancel_registration(registration=gone)
    gone.refresh_from_db()
    door = staff_factory("door")

    with translation.override("en"):
        with pytest.raises(NoSeat, match="Cilla Svensson is on the waiting list"):
            check_in(registration=waiting, actor=door)
        with pytest.raises(NoSeat, match="Dan Svensson has cancelled"):
            check_in(registration=gone, actor=door)
        with pytest.raises(NoSeat, match="Bo Ek has not confirmed"):
            check_in(registration=bo, actor=door)
    assert CheckIn.objects.count() == 0


def test_undo_book_and_counts(seated, staff_factory):
    anna, bo = seated
    door = staff_factory("door")
    event = anna.event
    assert door_counts(event).__dict__ == {"arrived": 0, "expected": 2, "books": 0, "walk_ins": 0}

    with pytest.raises(NotCheckedIn):
        hand_out_book(registration=anna, actor=door)
    check_in(registration=anna, actor=door)
    check_in(registration=bo, actor=door)
    hand_out_book(registration=anna, actor=door)
    hand_out_book(registration=anna, actor=door)  # a second tap changes nothing
    assert door_counts(event).__dict__ == {"arrived": 2, "expected": 2, "books": 1, "walk_ins": 0}

    undo_book(registration=anna, actor=door)
    undo_check_in(registration=bo, actor=door)
    assert door_counts(event).__dict__ == {"arrived": 1, "expected": 2, "books": 0, "walk_ins": 0}
    with pytest.raises(NotCheckedIn):
        undo_check_in(registration=bo, actor=door)
    actions = list(AuditLog.objects.filter(action__startswith="checkin.").values_list("action", flat=True))
    assert actions.count("checkin.book_handed") == 1
    assert "checkin.undone" in actions and "checkin.book_undone" in actions


def test_code_is_short_readable_and_finds_only_its_own_registration(seated, event_factory):
    anna, bo = seated
    code = codes.issue_code(anna)

    assert len(code) == 9 and code[4] == "-"
    assert not set(code.replace("-", "")) & set("01IOL")
    assert codes.issue_code(anna) == code  # the e-mail and the personal page show the same code
    assert codes.registration_for_code(anna.event, code.lower().replace("-", " ")) == anna
    assert codes.registration_for_code(anna.event, codes.code_for(bo)) is None  # never issued
    assert codes.registration_for_code(event_factory(), code) is None  # another event's door


def test_codes_for_many_are_the_codes_for_each(seated):
    anna, bo = seated

    assert codes.codes_for([anna.pk, bo.pk]) == {anna.pk: codes.code_for(anna), bo.pk: codes.code_for(bo)}


def test_code_is_salted_hmac_of_the_current_secret_key(seated, settings):
    """The key is derived once per SECRET_KEY, not per code; a rotated key gives other codes."""
    anna, bo = seated

    def derived(registration):
        return codes._grouped(salted_hmac(codes._SALT, str(registration.pk), algorithm="sha256").digest())

    codes._key.cache_clear()
    assert [codes.code_for(anna), codes.code_for(bo)] == [derived(anna), derived(bo)]
    before = codes.code_for(anna)
    assert codes._key.cache_info().misses == 1  # three codes, one key

    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    assert codes.code_for(anna) == derived(anna) != before
    assert codes.codes_for([bo.pk]) == {bo.pk: derived(bo)}


def test_losing_the_race_to_another_device_returns_their_check_in(seated, staff_factory, monkeypatch):
    """Another device's check-in commits between our look-up and our insert: the unique
    registration column refuses the second row, and the first device's check-in is the answer."""
    from frukost.checkin import services

    anna, _ = seated
    first, second = staff_factory("door"), staff_factory("door")
    real_ensure_seated = services._ensure_seated

    def the_other_device_wins(registration):
        real_ensure_seated(registration)
        CheckIn.objects.create(
            registration=registration,
            event_id=registration.event_id,
            checked_in_at=stockholm(2029, 5, 16, 7, 42),
            checked_in_by=first,
        )

    monkeypatch.setattr(services, "_ensure_seated", the_other_device_wins)
    result = check_in(registration=anna, actor=second, client_id=uuid.uuid4())

    assert result.already is True
    assert result.check_in.checked_in_by == first
    assert CheckIn.objects.count() == 1
