"""The door list on the phone, its offline copy and the printed list agree on Swedish order."""

from __future__ import annotations

import pytest

from frukost.checkin.device import door_list_for_device
from frukost.checkin.queries import door_people
from frukost.registrations.door_documents import door_people as printed_people
from frukost.registrations.services import register
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

SWEDISH_ORDER = ["Ek", "Zorn", "Åberg", "Ängel", "Öst"]


def test_phone_offline_copy_and_paper_sort_a_ring_a_diaeresis_and_o_diaeresis_after_z(event_factory):
    event = event_factory()
    for number, last in enumerate(["Öst", "Ängel", "Zorn", "Åberg", "Ek"]):
        register(event=event, person=make_person(f"p{number}@example.se", last_name=last))

    seated, _waiting = printed_people(event)

    assert [person.last_name for person in door_people(event)] == SWEDISH_ORDER
    assert [person["last_name"] for person in door_list_for_device(event)["people"]] == SWEDISH_ORDER
    assert [person.last_name for person in seated] == SWEDISH_ORDER
