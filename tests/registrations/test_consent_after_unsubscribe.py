"""A consent to future invitations lifts an unsubscribe only when it comes from the address's owner:
the public form proves nothing (anyone can type anyone's address); the personal page does."""

from __future__ import annotations

import pytest

from frukost.contacts.models import Contact, Suppression
from frukost.contacts.suppression import suppress
from frukost.registrations.services import register, update_answers
from tests.conftest import make_person
from tests.invitations.factories import make_list, send

pytestmark = pytest.mark.django_db

CONSENT = {"wants_future_invitations": True, "consent_text": "Skicka inbjudningar till kommande frukostar"}


def test_a_stranger_ticking_the_box_on_the_public_form_does_not_lift_an_unsubscribe(event, event_factory):
    suppress(organisation=event.organisation, email="anna@example.se", reason="unsubscribed")

    register(event=event, person=make_person("anna@example.se", **CONSENT))

    assert list(Suppression.objects.values_list("email", "reason")) == [("anna@example.se", "unsubscribed")]
    later = make_list(event=event_factory(), people=["anna@example.se", "bo@example.se"])
    assert send(later) == 1  # Bo only


def test_the_person_ticking_the_box_on_their_own_page_lifts_it(event):
    registration = register(event=event, person=make_person("anna@example.se")).registration
    suppress(organisation=event.organisation, email="anna@example.se", reason="unsubscribed")
    answers = make_person("anna@example.se", **CONSENT).answers

    update_answers(registration=registration, answers=answers)

    assert Suppression.objects.count() == 0
    assert Contact.objects.filter(email="anna@example.se").exists()
