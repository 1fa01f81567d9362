"""What an invitee does: registering through the invitation goes through the one register service
and links the registration; declining is recorded once and refused after registering."""

from __future__ import annotations

import pytest

from frukost.invitations.responses import (
    AlreadyRegistered,
    NotInvitedTo,
    decline,
    open_invitation,
    register_invitee,
    registration_for,
)
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import RegistrationClosed
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.invitations.factories import invitee, make_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(event, frozen):
    frozen("2029-04-20 10:00")
    return invitee(make_list(event=event, people=["anna@example.se"]), "anna@example.se")


def test_registering_links_the_registration_and_counts_as_opened(anna, event):
    result = register_invitee(invitee=anna, event=event, person=make_person("anna@example.se"))

    anna.refresh_from_db()
    assert anna.registration == result.registration and anna.registered_at is not None
    assert anna.opened_at is not None


def test_registering_with_another_address_still_links_it(anna, event):
    result = register_invitee(invitee=anna, event=event, person=make_person("anna.privat@example.se"))

    anna.refresh_from_db()
    assert anna.registration == result.registration
    assert registration_for(anna) == result.registration


def test_a_form_for_someone_elses_registered_address_links_nothing(anna, event):
    theirs = register(event=event, person=make_person("bo@example.se")).registration

    result = register_invitee(invitee=anna, event=event, person=make_person("bo@example.se"))

    assert result.already_registered and result.registration == theirs
    anna.refresh_from_db()
    assert anna.registration is None


def test_an_event_outside_the_invitation_is_refused(anna, event_factory):
    with pytest.raises(NotInvitedTo):
        register_invitee(invitee=anna, event=event_factory(), person=make_person("anna@example.se"))
    assert not Registration.objects.exists()


def test_the_deadline_holds_as_on_the_public_form(anna, event, frozen):
    frozen("2029-05-02 00:00")
    with pytest.raises(RegistrationClosed):
        register_invitee(invitee=anna, event=event, person=make_person("anna@example.se"))
    anna.refresh_from_db()
    assert anna.registered_at is None


def test_declining_once_and_never_after_registering(anna, event):
    assert decline(invitee=anna) is True
    assert decline(invitee=anna) is False

    register(event=event, person=make_person("anna@example.se"))
    with pytest.raises(AlreadyRegistered):
        decline(invitee=anna)


def test_opening_is_recorded_once(anna):
    assert open_invitation(anna) is True
    assert open_invitation(anna) is False


def test_a_waitlisted_registration_is_found_too(anna, event):
    event.capacity = 0
    event.save()
    register(event=event, person=make_person("anna@example.se"))

    assert registration_for(anna).status == Status.WAITLISTED
