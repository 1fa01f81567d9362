"""A walk-in who gave no address at the door: no path queues mail to ''."""

from __future__ import annotations

import pytest
from django.db import transaction

from frukost.checkin.services import register_walk_in
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue, enqueue_batch
from frukost.messaging.enums import Audience
from frukost.messaging.services import AnnouncementText, recipients, send_announcement
from frukost.registrations.exceptions import NoAddress
from frukost.registrations.services import register, resend_personal_link
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_the_outbox_queues_nothing_for_an_empty_address():
    with transaction.atomic():
        assert enqueue(kind=MailKind.CONFIRMATION, to="  ") is None
        queued = enqueue_batch(
            kind=MailKind.ANNOUNCEMENT, recipients=[("", 1), ("anna@example.se", None)], batch_id=1
        )
    assert queued == 1
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["anna@example.se"]


def test_an_announcement_to_everyone_seated_leaves_out_a_walk_in_without_address(
    event_factory, staff_factory, frozen
):
    event = event_factory()
    bo = register(event=event, person=make_person("bo@example.se", first_name="Bo")).registration
    organiser = staff_factory("organiser")
    frozen("2029-05-16 07:42")
    register_walk_in(event=event, first_name="Anna", last_name="Svensson", actor=organiser)

    assert list(recipients(event=event, audience=Audience.SEATED)) == [bo]
    text = AnnouncementText(subject="Välkommen", body="Frukosten serveras i foajén.")
    announcement = send_announcement(event=event, text=text, audience=Audience.SEATED, actor=organiser)

    assert announcement.recipient_count == 1
    assert list(OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).values_list("to", flat=True)) == [
        "bo@example.se"
    ]


def test_a_new_personal_link_is_refused_for_a_walk_in_without_address(event_factory, staff_factory, frozen):
    event = event_factory()
    organiser = staff_factory("organiser")
    frozen("2029-05-16 07:42")
    walk_in = register_walk_in(event=event, first_name="Anna", last_name="Svensson", actor=organiser)

    with pytest.raises(NoAddress):
        resend_personal_link(registration=walk_in.registration, actor=organiser)
    assert not OutboxMessage.objects.exists()


def test_two_walk_ins_without_an_address_both_pass_the_models_own_checks(
    event_factory, staff_factory, frozen
):
    """The admin and every ModelForm run full_clean(): an empty address is nobody's address."""
    event = event_factory()
    organiser = staff_factory("organiser")
    frozen("2029-05-16 07:42")
    first = register_walk_in(event=event, first_name="Anna", last_name="Svensson", actor=organiser)
    second = register_walk_in(event=event, first_name="Bo", last_name="Ek", actor=organiser)

    for walk_in in (first, second):
        walk_in.registration.full_clean()  # raises ValidationError if the address counted as taken
