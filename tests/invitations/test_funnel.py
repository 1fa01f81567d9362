"""The funnel: invited → opened → registered (seat / waiting list) → declined → no answer, and
came; registering on the public page with the invited address counts; the figures stay when the
invitees are erased; two queries at any size."""

from __future__ import annotations

import pytest

from frukost.checkin.services import check_in
from frukost.events.models import Series
from frukost.invitations.funnel import Funnel, event_funnel, list_funnel, series_funnel
from frukost.invitations.responses import decline, open_invitation, register_invitee, unsubscribe
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.invitations.factories import invitee, make_list, send

pytestmark = pytest.mark.django_db

PEOPLE = ["anna@example.se", "bo@example.se", "cecilia@example.se", "david@example.se", "erik@example.se",
          "fia@example.se"]  # fmt: skip


@pytest.fixture
def answered(event, frozen):
    """Anna registered through the link (a seat), Bo on the public page (the waiting list: the event
    is full after Anna), Cecilia declined, David unsubscribed, Erik opened and left it, Fia nothing."""
    frozen("2029-04-20 10:00")
    event.capacity = 1
    event.save()
    invitation_list = make_list(event=event, people=PEOPLE)
    send(invitation_list)
    anna = invitee(invitation_list, "anna@example.se")
    open_invitation(anna)
    register_invitee(invitee=anna, event=event, person=make_person("anna@example.se"))
    register(event=event, person=make_person("bo@example.se"))
    decline(invitee=invitee(invitation_list, "cecilia@example.se"))
    unsubscribe(invitee=invitee(invitation_list, "david@example.se"))
    open_invitation(invitee(invitation_list, "erik@example.se"))
    return invitation_list


def test_the_funnel_counts_each_step(answered):
    assert list_funnel(answered) == Funnel(
        invited=6, opened=3, seat=1, waiting_list=1, declined=1, unsubscribed=1, no_answer=2, came=0
    )


def test_those_who_came_are_counted_after_the_event(answered, event, frozen, staff_factory):
    frozen("2029-05-16 08:05")
    check_in(registration=Registration.objects.get(email="anna@example.se"), actor=staff_factory())

    assert list_funnel(answered).came == 1
    assert event_funnel(event).came == 1


def test_a_cancelled_registration_is_no_longer_registered(answered):
    from frukost.registrations.services import cancel_registration

    cancel_registration(registration=Registration.objects.get(email="bo@example.se"))

    figures = list_funnel(answered)
    assert (figures.waiting_list, figures.no_answer) == (0, 3)


def test_the_series_funnel_counts_its_lists_at_any_of_its_events(organisation, event_factory, frozen):
    frozen("2029-04-20 10:00")
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    sundsvall = event_factory(series=series)
    harnosand = event_factory(series=series)
    series_list = make_list(series=series, people=["anna@example.se", "bo@example.se"])
    event_list = make_list(event=sundsvall, people=["cecilia@example.se"])
    send(series_list)
    send(event_list)
    register(event=harnosand, person=make_person("anna@example.se"))
    register(event=sundsvall, person=make_person("cecilia@example.se"))

    figures = series_funnel(series)

    assert (figures.invited, figures.seat, figures.no_answer) == (3, 2, 1)
    assert (event_funnel(sundsvall).invited, event_funnel(sundsvall).seat) == (1, 1)


@pytest.mark.parametrize("size", [3, 30])
def test_the_funnel_is_two_queries_whatever_the_size(event, frozen, size, django_assert_num_queries):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=size)
    send(invitation_list)
    for number in range(1, size + 1, 3):
        register(event=event, person=make_person(f"anna{number}@example.se"))

    with django_assert_num_queries(2):  # the invitees as they stand, the erased ones' counts
        figures = list_funnel(invitation_list)

    assert figures.invited == size


def test_the_figures_stay_the_same_once_the_invitees_are_erased(answered, event):
    from frukost.privacy.erasure import erase_invitees

    anna = Registration.objects.get(event=event, email="anna@example.se")
    check_in(registration=anna, actor=None)
    before = (list_funnel(answered), event_funnel(event))
    half = list(answered.invitees.order_by("email").values_list("pk", flat=True)[:3])

    erase_invitees(half)  # Anna, Bo and Cecilia: through the link, on the public page, declined
    assert answered.invitees.count() == 3
    assert (list_funnel(answered), event_funnel(event)) == before

    erase_invitees(answered.invitees.values_list("pk", flat=True))
    assert answered.invitees.count() == 0
    assert (list_funnel(answered), event_funnel(event)) == before


def test_someone_who_registered_through_the_invitation_and_cancelled_declined_and_gets_no_reminder(
    event, frozen
):
    from frukost.invitations.reminders import not_answered
    from frukost.registrations.services import cancel_registration

    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se", "bo@example.se"])
    send(invitation_list)
    anna = invitee(invitation_list, "anna@example.se")
    result = register_invitee(invitee=anna, event=event, person=make_person("anna@example.se"))
    cancel_registration(registration=result.registration)

    figures = list_funnel(invitation_list)

    assert (figures.invited, figures.registered, figures.declined, figures.no_answer) == (2, 0, 1, 1)
    # The funnel's "no answer" is who the reminder goes to.
    assert [i.email for i in not_answered(invitation_list)] == ["bo@example.se"]


def test_the_list_page_says_for_each_person_what_the_funnel_counts(event, frozen):
    from frukost.invitations.queries import invitees_of, status_of
    from frukost.registrations.services import cancel_registration

    frozen("2029-04-20 10:00")
    invitation_list = make_list(
        event=event, people=["anna@example.se", "bo@example.se", "cecilia@example.se", "david@example.se"]
    )
    send(invitation_list)
    register(event=event, person=make_person("anna@example.se"))  # on the public page
    bo = invitee(invitation_list, "bo@example.se")
    done = register_invitee(invitee=bo, event=event, person=make_person("bo@example.se"))
    cancel_registration(registration=done.registration)
    cecilia = invitee(invitation_list, "cecilia@example.se")
    register_invitee(invitee=cecilia, event=event, person=make_person("cecilia@example.se"))
    unsubscribe(invitee=cecilia)  # registered, then no more invitations: still registered

    statuses = {i.email: status_of(i) for i in invitees_of(invitation_list)}

    assert statuses == {
        "anna@example.se": "Registered",
        "bo@example.se": "Cancelled",
        "cecilia@example.se": "Registered",
        "david@example.se": "Invited, no answer yet",
    }
    figures = list_funnel(invitation_list)
    assert (figures.seat, figures.declined, figures.unsubscribed, figures.no_answer) == (2, 1, 0, 1)
