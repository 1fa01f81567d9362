"""Offline taps synced in a batch: each conflict rule of frukost.checkin.sync, and replays."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation

from frukost.checkin.exceptions import CheckInUndone, InvalidBatch
from frukost.checkin.models import CheckIn, DeviceOperation
from frukost.checkin.services import check_in, undo_check_in
from frukost.checkin.sync import Operation, apply_operations, parse_operations
from frukost.core.formats import local
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


@pytest.fixture
def door(event_factory, staff_factory, frozen):
    event = event_factory(capacity=5)
    anna = register(event=event, person=make_person("anna@example.se")).registration
    bo = register(
        event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek")
    ).registration
    frozen("2029-05-16 07:55")
    return event, anna, bo, staff_factory("door", events=[event]), staff_factory("door", events=[event])


def op(action, registration, hour, minute, client_id=None):
    return Operation(action, registration.pk, client_id or uuid.uuid4(), stockholm(2029, 5, 16, hour, minute))


def sync(event, actor, *operations):
    with translation.override("sv"):
        return [
            (r.status, r.message) for r in apply_operations(event=event, operations=operations, actor=actor)
        ]


def arrival(registration):
    return local(CheckIn.objects.get(registration=registration).checked_in_at).strftime("%H.%M")


def test_offline_taps_are_applied_with_the_time_they_were_tapped(door):
    event, anna, bo, phone, _ = door

    answers = sync(
        event, phone, op("checkin", anna, 7, 40), op("book", anna, 7, 41), op("checkin", bo, 7, 44)
    )

    assert answers == [
        ("done", "Anna Svensson checkades in kl. 07.40."),
        ("done", "Boken är utlämnad till Anna Svensson."),
        ("done", "Bo Ek checkades in kl. 07.44."),
    ]
    assert (arrival(anna), arrival(bo)) == ("07.40", "07.44")
    assert local(CheckIn.objects.get(registration=anna).book_handed_at).strftime("%H.%M") == "07.41"


def test_two_devices_one_check_in_the_earliest_tap_kept_and_the_second_told(door):
    event, anna, _, first, second = door
    sync(event, first, op("checkin", anna, 7, 42))

    answers = sync(event, second, op("checkin", anna, 7, 38))  # tapped earlier, synced later

    assert answers == [("already", "Anna Svensson var redan incheckad kl. 07.42 (annan enhet).")]
    assert CheckIn.objects.count() == 1
    assert arrival(anna) == "07.38"  # when she came, as the first device to see her saw it


def test_a_tap_time_in_the_future_or_before_the_event_day_becomes_the_time_of_sync(door):
    event, anna, bo, phone, _ = door

    sync(
        event,
        phone,
        op("checkin", anna, 9, 30),
        Operation("checkin", bo.pk, uuid.uuid4(), stockholm(2029, 5, 15, 23, 59)),
    )

    assert (arrival(anna), arrival(bo)) == ("07.55", "07.55")


def test_a_resent_batch_is_answered_again_and_applied_once(door):
    event, anna, _, phone, _ = door
    batch = [op("checkin", anna, 7, 40), op("book", anna, 7, 41)]
    first = sync(event, phone, *batch)

    again = sync(event, phone, *batch)

    assert again == first
    assert CheckIn.objects.count() == 1 and DeviceOperation.objects.count() == 2


def test_a_check_in_replayed_after_an_undo_does_not_check_the_person_in_again(door):
    event, anna, _, phone, other = door
    tap = op("checkin", anna, 7, 40)
    sync(event, phone, tap)
    undo_check_in(registration=anna, actor=other)  # a wrong name, undone on another phone

    answers = sync(event, phone, tap)  # the first phone resends its old queue

    assert answers == [
        (
            "refused",
            "Incheckningen av Anna Svensson ångrades efter den här tryckningen. "
            "Checka in igen om hen är här.",
        )
    ]
    assert not CheckIn.objects.exists()


def test_the_form_path_also_refuses_a_replay_after_undo(door):
    _, anna, _, phone, _ = door
    client_id = uuid.uuid4()
    check_in(registration=anna, actor=phone, client_id=client_id)
    undo_check_in(registration=anna, actor=phone)

    with pytest.raises(CheckInUndone):
        check_in(registration=anna, actor=phone, client_id=client_id)
    assert not CheckIn.objects.exists()
    check_in(registration=anna, actor=phone, client_id=uuid.uuid4())  # a fresh tap checks in
    assert CheckIn.objects.count() == 1


def test_an_offline_undo_does_not_undo_a_check_in_made_after_it(door):
    event, anna, _, phone, other = door
    sync(event, other, op("checkin", anna, 7, 50))  # checked in again on another phone

    answers = sync(event, phone, op("undo", anna, 7, 45))

    assert answers == [
        ("refused", "Anna Svensson checkades in igen kl. 07.50 på en annan enhet; den incheckningen gäller.")
    ]
    assert arrival(anna) == "07.50"


def test_an_offline_undo_of_an_earlier_check_in_applies_and_a_second_undo_is_already(door):
    event, anna, _, phone, other = door
    sync(event, phone, op("checkin", anna, 7, 40))

    assert sync(event, phone, op("undo", anna, 7, 41)) == [
        ("done", "Incheckningen av Anna Svensson är ångrad.")
    ]
    assert sync(event, other, op("undo", anna, 7, 42)) == [
        ("already", "Incheckningen av Anna Svensson var redan ångrad (annan enhet).")
    ]
    assert not CheckIn.objects.exists()


def test_a_resent_undo_never_undoes_a_later_check_in(door):
    event, anna, _, phone, other = door
    sync(event, phone, op("checkin", anna, 7, 40))
    undo = op("undo", anna, 7, 41)
    sync(event, phone, undo)
    sync(event, other, op("checkin", anna, 7, 43))

    assert sync(event, phone, undo) == [
        ("done", "Incheckningen av Anna Svensson är ångrad.")
    ]  # its old answer
    assert arrival(anna) == "07.43"


def test_a_book_for_someone_undone_elsewhere_is_refused(door):
    event, anna, _, phone, other = door
    sync(event, phone, op("checkin", anna, 7, 40))
    sync(event, other, op("undo", anna, 7, 41))

    answers = sync(event, phone, op("book", anna, 7, 42))

    assert answers == [
        (
            "refused",
            "Boken till Anna Svensson markerades inte: hen är inte incheckad (ångrat någon annanstans?).",
        )
    ]


def test_a_book_twice_is_already_and_an_unbook_respects_a_later_book(door):
    event, anna, _, phone, other = door
    sync(event, phone, op("checkin", anna, 7, 40), op("book", anna, 7, 41))

    assert sync(event, other, op("book", anna, 7, 42)) == [
        ("already", "Anna Svensson hade redan fått boken kl. 07.41 (annan enhet).")
    ]
    assert sync(event, other, op("unbook", anna, 7, 39)) == [
        ("refused", "Boken markerades för Anna Svensson igen kl. 07.41 på en annan enhet; det gäller.")
    ]
    assert sync(event, other, op("unbook", anna, 7, 43)) == [
        ("done", "Utlämningen av boken till Anna Svensson är ångrad.")
    ]
    assert sync(event, phone, op("unbook", anna, 7, 44)) == [
        ("already", "Boken till Anna Svensson var redan ångrad (annan enhet).")
    ]


def test_a_refused_tap_is_not_remembered(door):
    event, anna, _, phone, _ = door
    anna.confirmed_at = None
    anna.save(update_fields=["confirmed_at"])
    tap = op("checkin", anna, 7, 40)

    assert sync(event, phone, tap)[0][0] == "refused"
    assert not DeviceOperation.objects.exists()


def test_a_batch_naming_another_events_person_is_refused_whole(event_factory, staff_factory):
    event, other = event_factory(), event_factory()
    anna = register(event=event, person=make_person("anna@example.se")).registration
    stranger = register(event=other, person=make_person("x@example.se")).registration
    phone = staff_factory("door", events=[event])

    with translation.override("en"), pytest.raises(InvalidBatch, match=f"registration id {stranger.pk}"):
        apply_operations(
            event=event, operations=[op("checkin", anna, 7, 40), op("checkin", stranger, 7, 41)], actor=phone
        )
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "payload, message",
    [
        ([], "must be a JSON object with a list of operations"),
        ({"operations": ["x"]}, "Operation 1 is not an object"),
        ({"operations": [{"op": "explode"}]}, "Operation 1: unknown op"),
        ({"operations": [{"op": "checkin", "registration": "7"}]}, "registration must be an id"),
        (
            {"operations": [{"op": "checkin", "registration": 7, "client_id": "x"}]},
            "client_id must be a UUID",
        ),
        (
            {
                "operations": [
                    {"op": "checkin", "registration": 7, "client_id": str(uuid.uuid4()), "at": "07.42"}
                ]
            },
            "at must be an ISO 8601 time with a time zone",
        ),
        (
            {
                "operations": [
                    {
                        "op": "undo",
                        "registration": 7,
                        "client_id": str(uuid.uuid4()),
                        "at": "2029-05-16T07:42",
                    }
                ]
            },
            "at must be an ISO 8601 time with a time zone",
        ),
    ],
)
def test_parse_operations_names_what_is_wrong(payload, message):
    with translation.override("en"), pytest.raises(InvalidBatch, match=message):
        parse_operations(payload)


def test_parse_operations_reads_what_door_js_sends():
    client_id = uuid.uuid4()
    payload = {
        "operations": [
            {"op": "book", "registration": 7, "client_id": str(client_id), "at": "2029-05-16T05:42:00.000Z"}
        ]
    }

    assert parse_operations(payload) == [Operation("book", 7, client_id, stockholm(2029, 5, 16, 7, 42))]
