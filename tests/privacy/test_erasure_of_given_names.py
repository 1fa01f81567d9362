"""The names a registrant gave (their colleagues', and their own on each colleague's row) are
erased with the rest of their data."""

import pytest
from django.db import transaction
from django.utils import timezone

from frukost.privacy.erasure import anonymise
from frukost.registrations.models import Registration
from frukost.registrations.services import register, remind_unconfirmed_colleagues
from tests.conftest import outbox_for

pytestmark = pytest.mark.django_db


def test_anonymising_a_registrant_erases_the_names_they_gave_and_their_name_on_colleagues(
    event, person, colleague
):
    anna = register(
        event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")]
    ).registration
    bo = Registration.objects.get(email="bo@example.se")
    assert (anna.colleague_names, bo.invited_by_name) == ("Bo Ek", "Anna Svensson")

    with transaction.atomic():
        anonymise([anna.pk], now=timezone.now())

    anna.refresh_from_db()
    bo.refresh_from_db()
    assert (anna.colleague_names, anna.invited_by_name, bo.invited_by_name) == ("", "", "")
    Registration.objects.filter(pk=bo.pk).update(remind_after=timezone.now())
    remind_unconfirmed_colleagues()
    reminder = outbox_for("bo@example.se")[-1]
    assert "Anna" not in reminder.body_text
    assert "En kollega har anmält dig" in reminder.body_text


def test_anonymising_a_colleague_takes_their_name_out_of_the_inviters_list(event_factory, person, colleague):
    event = event_factory(max_colleagues=2)
    anna = register(
        event=event,
        person=person("anna@example.se"),
        colleagues=[colleague("bo@example.se"), colleague("cia@example.se", first_name="Cia")],
    ).registration
    bo = Registration.objects.get(email="bo@example.se")

    with transaction.atomic():
        anonymise([bo.pk], now=timezone.now())

    anna.refresh_from_db()
    assert anna.named_colleagues == ["Cia Ek"]
