"""What an organiser does to registrations: add by hand, edit, move up, resend the link, cancel."""

from __future__ import annotations

import pytest
from django.test import Client

from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import (
    EmailAlreadyRegistered,
    EventNotOpen,
    InvalidRegistrationData,
    NoFreeSeat,
    NotActive,
    NotWaitlisted,
    RegistrationClosed,
)
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    RegistrationEdit,
    SpecialAnswers,
    add_registration_by_organiser,
    cancel_registration,
    promote_registration,
    register,
    resend_personal_link,
    revoke_personal_links,
    update_registration,
)
from tests.conftest import outbox_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(staff_factory):
    return staff_factory("organiser", "julia@example.se")


def _edit(registration, **changes) -> RegistrationEdit:
    fields = {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "workplace": registration.workplace,
        "job_title": registration.job_title,
    }
    return RegistrationEdit(**(fields | changes))


def _actions(registration) -> list[tuple[str, str | None]]:
    return [
        (log.action, log.actor.email if log.actor else None)
        for log in AuditLog.objects.filter(registration_id=registration.pk).order_by("at", "id")
    ]


def test_add_registration_by_organiser_mails_and_audits_with_actor(event, person, organiser):
    registration = add_registration_by_organiser(
        event=event, person=person("Anna@Example.se"), actor=organiser
    )

    assert registration.email == "anna@example.se"
    assert registration.status == Status.REGISTERED
    assert registration.is_confirmed
    assert [m.subject for m in outbox_for("anna@example.se")] == [
        "Du är anmäld: Chefsfrukost: Leda med tillit"
    ]
    assert _actions(registration) == [("registration.created", "julia@example.se")]
    assert AuditLog.objects.get(registration_id=registration.pk).data["by_organiser"] is True


def test_add_registration_by_organiser_works_after_the_deadline(event, person, organiser, frozen):
    frozen("2029-05-10 12:00")  # deadline was 1 May

    registration = add_registration_by_organiser(
        event=event, person=person("anna@example.se"), actor=organiser
    )

    assert registration.status == Status.REGISTERED


def test_add_registration_by_organiser_waitlists_when_full(event_factory, person, organiser):
    event = event_factory(capacity=1)
    register(event=event, person=person("bo@example.se"))

    registration = add_registration_by_organiser(
        event=event, person=person("anna@example.se"), actor=organiser
    )

    assert registration.status == Status.WAITLISTED
    assert [m.kind for m in outbox_for("anna@example.se")] == [MailKind.WAITLISTED]


def test_add_registration_by_organiser_refuses_an_address_already_registered(event, person, organiser):
    register(event=event, person=person("anna@example.se"))

    with pytest.raises(EmailAlreadyRegistered):
        add_registration_by_organiser(event=event, person=person("ANNA@example.se"), actor=organiser)

    assert Registration.objects.count() == 1


def test_add_registration_by_organiser_refuses_draft_and_ended_events(
    event_factory, person, organiser, frozen
):
    with pytest.raises(EventNotOpen):
        add_registration_by_organiser(
            event=event_factory(status=EventStatus.DRAFT), person=person("a@example.se"), actor=organiser
        )
    frozen("2029-05-16 09:31")
    with pytest.raises(RegistrationClosed):
        add_registration_by_organiser(event=event_factory(), person=person("a@example.se"), actor=organiser)


def test_add_registration_by_organiser_refuses_a_malformed_address(event, person, organiser):
    with pytest.raises(InvalidRegistrationData) as refused:
        add_registration_by_organiser(event=event, person=person("not an address"), actor=organiser)

    assert refused.value.field == "email"


def test_update_registration_lower_cases_the_address(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration

    update_registration(
        registration=registration, edit=_edit(registration, email=" Anna.S@Example.se "), actor=organiser
    )

    registration.refresh_from_db()
    assert registration.email == "anna.s@example.se"


def test_update_registration_refuses_an_address_already_registered(event, person, organiser):
    register(event=event, person=person("bo@example.se"))
    registration = register(event=event, person=person("anna@example.se")).registration

    with pytest.raises(EmailAlreadyRegistered):
        update_registration(
            registration=registration, edit=_edit(registration, email="Bo@Example.se"), actor=organiser
        )

    registration.refresh_from_db()
    assert registration.email == "anna@example.se"


def test_update_registration_allows_the_address_of_a_cancelled_registration(event, person, organiser):
    cancel_registration(registration=register(event=event, person=person("bo@example.se")).registration)
    registration = register(event=event, person=person("anna@example.se")).registration

    update_registration(
        registration=registration, edit=_edit(registration, email="bo@example.se"), actor=organiser
    )

    registration.refresh_from_db()
    assert registration.email == "bo@example.se"


def test_update_registration_audits_field_names_never_values(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se", diets=["gluten"])).registration

    update_registration(
        registration=registration,
        edit=_edit(
            registration, workplace="Region Västernorrland", special=SpecialAnswers(membership="member")
        ),
        actor=organiser,
    )

    entry = AuditLog.objects.filter(action="registration.changed").get()
    assert (entry.actor.email, entry.data) == (
        "julia@example.se",
        {"fields": ["workplace"], "special_category": True},
    )
    registration.refresh_from_db()
    assert registration.diets == []


def test_update_registration_without_special_answers_keeps_them(event, person, organiser):
    registration = register(
        event=event, person=person("anna@example.se", diets=["gluten"], other_needs="Teleslinga")
    ).registration

    update_registration(
        registration=registration, edit=_edit(registration, first_name="Annie"), actor=organiser
    )

    registration.refresh_from_db()
    assert (registration.first_name, registration.diets, registration.other_needs) == (
        "Annie",
        ["gluten"],
        "Teleslinga",
    )


def test_update_registration_refuses_a_cancelled_registration(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=registration)

    with pytest.raises(NotActive):
        update_registration(
            registration=registration, edit=_edit(registration, first_name="A"), actor=organiser
        )


def test_registration_save_lower_cases_the_address_on_any_path(event):
    registration = Registration.objects.create(
        event=event, first_name="Anna", last_name="S", email="Anna@Example.se"
    )

    registration.refresh_from_db()
    assert registration.email == "anna@example.se"


def test_promote_registration_refused_without_a_free_seat(event_factory, person, organiser):
    event = event_factory(capacity=1)
    register(event=event, person=person("bo@example.se"))
    waiting = register(event=event, person=person("anna@example.se")).registration

    with pytest.raises(NoFreeSeat):
        promote_registration(registration=waiting, actor=organiser)

    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_promote_registration_mails_the_person_and_may_skip_the_queue(event_factory, person, organiser):
    event = event_factory(capacity=1)
    register(event=event, person=person("bo@example.se"))
    register(event=event, person=person("first@example.se"))
    second = register(event=event, person=person("anna@example.se")).registration
    outbox_for("anna@example.se")  # the worker sent the waiting-list notice at once
    event.capacity = 2
    event.save()

    promote_registration(registration=second, actor=organiser)

    second.refresh_from_db()
    assert second.status == Status.REGISTERED
    assert [m.subject for m in outbox_for("anna@example.se")] == [
        "Du står på väntelistan: Chefsfrukost: Leda med tillit",
        "Du har fått en plats på Chefsfrukost: Leda med tillit",
    ]
    assert _actions(second)[-1] == ("registration.promoted", "julia@example.se")
    assert Registration.objects.get(email="first@example.se").status == Status.WAITLISTED


def test_promote_registration_refuses_someone_not_waiting(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration

    with pytest.raises(NotWaitlisted):
        promote_registration(registration=registration, actor=organiser)


def test_cancel_registration_on_behalf_frees_the_seat_and_moves_the_queue(event_factory, person, organiser):
    event = event_factory(capacity=1)
    seated = register(event=event, person=person("bo@example.se")).registration
    waiting = register(event=event, person=person("anna@example.se")).registration
    outbox_for("anna@example.se")

    cancel_registration(registration=seated, actor=organiser)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.has_open_offer) == (Status.WAITLISTED, True)
    assert _actions(seated)[-1] == ("registration.cancelled", "julia@example.se")
    assert [m.kind for m in outbox_for("anna@example.se")] == [MailKind.WAITLISTED, MailKind.SEAT_OFFERED]


def test_promote_registration_moves_someone_with_an_open_offer_up_directly(event_factory, person, organiser):
    event = event_factory(capacity=1)
    seated = register(event=event, person=person("bo@example.se")).registration
    waiting = register(event=event, person=person("anna@example.se")).registration
    later = register(event=event, person=person("cilla@example.se")).registration
    cancel_registration(registration=seated)
    # The seat is set aside for Anna: Cilla cannot be moved up past her offer.
    with pytest.raises(NoFreeSeat):
        promote_registration(registration=later, actor=organiser)

    promote_registration(registration=waiting, actor=organiser)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.offer_expires_at) == (Status.REGISTERED, None)
    assert [m.kind for m in outbox_for("anna@example.se")][-1] == MailKind.PROMOTED


def test_resend_personal_link_mails_a_new_working_link(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration

    resend_personal_link(registration=registration, actor=organiser)

    receipt, resent = outbox_for("anna@example.se")
    assert resent.kind == MailKind.LINK_RESENT
    assert resent.subject == "Din personliga länk: Chefsfrukost: Leda med tillit"
    link = next(word for word in resent.body_text.split() if word.startswith("http://testserver/r/"))
    assert link not in receipt.body_text
    page = Client().get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert page.context["registration"] == registration
    assert _actions(registration)[-1] == ("registration.link_resent", "julia@example.se")


def test_resend_personal_link_revokes_the_links_sent_before(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration
    [receipt] = outbox_for("anna@example.se")
    old = next(word for word in receipt.body_text.split() if word.startswith("http://testserver/r/"))

    resend_personal_link(registration=registration, actor=organiser)

    resent = outbox_for("anna@example.se")[-1]
    new = next(word for word in resent.body_text.split() if word.startswith("http://testserver/r/"))
    assert Client().get(old.removeprefix("http://testserver")).status_code == 404
    assert Client().get(new.removeprefix("http://testserver")).status_code == 200
    assert "Länkarna i tidigare mejl fungerar inte längre." in resent.body_text


def test_revoke_personal_links_stops_every_link_and_mails_nothing(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration
    [receipt] = outbox_for("anna@example.se")
    link = next(word for word in receipt.body_text.split() if word.startswith("http://testserver/r/"))

    revoked = revoke_personal_links(registration=registration, actor=organiser)

    assert revoked == 1
    assert Client().get(link.removeprefix("http://testserver")).status_code == 404
    assert OutboxMessage.objects.filter(to="anna@example.se").count() == 1
    assert _actions(registration)[-1] == ("registration.links_revoked", "julia@example.se")


def test_resend_personal_link_refuses_a_cancelled_registration(event, person, organiser):
    registration = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=registration)

    with pytest.raises(NotActive):
        resend_personal_link(registration=registration, actor=organiser)

    assert OutboxMessage.objects.filter(kind=MailKind.LINK_RESENT).count() == 0
