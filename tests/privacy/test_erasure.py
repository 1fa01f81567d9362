import datetime as dt

from django.db import transaction
from django.utils import timezone

from frukost.mail.enums import MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.privacy.erasure import anonymise, erase_membership, erase_needs
from frukost.registrations.links import issue_link, registration_for_token
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import worker_keeps_up


def _registered(event, person, address, **answers):
    return register(event=event, person=person(address, **answers)).registration


def test_erase_needs_blanks_diets_and_needs_and_nothing_else(event, person):
    anna = _registered(
        event, person, "anna@example.se", diets=("vegan",), diet_other="utan nötter", other_needs="teleslinga"
    )
    bo = _registered(event, person, "bo@example.se")

    with transaction.atomic():
        erased = erase_needs([anna.pk, bo.pk])

    anna.refresh_from_db()
    assert erased == 1
    assert (anna.diets, anna.diet_other, anna.other_needs) == ([], "", "")
    assert (anna.first_name, anna.email, anna.membership) == ("Anna", "anna@example.se", "member")


def test_erase_membership_blanks_only_the_answer(event, person):
    anna = _registered(event, person, "anna@example.se", diets=("vegan",))

    with transaction.atomic():
        assert erase_membership([anna.pk]) == 1
        assert erase_membership([anna.pk]) == 0

    anna.refresh_from_db()
    assert (anna.membership, anna.diets) == ("", ["vegan"])


def test_anonymise_erases_the_person_their_links_and_their_mail_but_keeps_the_row(event, person):
    anna = _registered(
        event, person, "anna@example.se", workplace="Sundsvalls kommun", other_needs="teleslinga"
    )
    bo = _registered(event, person, "bo@example.se")
    worker_keeps_up()
    with transaction.atomic():
        token_url = issue_link(anna)
    token = token_url.rstrip("/").rsplit("/", 1)[-1]
    OutboxMessage.objects.filter(registration=anna).update(status=MessageStatus.SENT)

    with transaction.atomic():
        count = anonymise([anna.pk, anna.pk], now=timezone.now())
        again = anonymise([anna.pk], now=timezone.now() + dt.timedelta(days=1))

    anna.refresh_from_db()
    assert (count, again) == (1, 0)
    assert anna.anonymised_at is not None
    assert [anna.first_name, anna.last_name, anna.email, anna.workplace, anna.other_needs] == [""] * 5
    assert (anna.status, anna.membership) == ("registered", "")
    assert registration_for_token(token) is None
    mail = OutboxMessage.objects.filter(registration=anna)
    assert list(mail.values_list("to", "subject", "body_text")) == [("", "", "")]
    assert Registration.objects.get(pk=bo.pk).email == "bo@example.se"


def test_two_anonymised_seats_at_one_event_do_not_collide(event, person):
    first = _registered(event, person, "anna@example.se")
    second = _registered(event, person, "bo@example.se")

    with transaction.atomic():
        assert anonymise([first.pk, second.pk], now=timezone.now()) == 2

    assert Registration.objects.filter(event=event, email="", status="registered").count() == 2


def test_anonymise_withdraws_mail_still_queued_for_the_person(event, person):
    anna = _registered(event, person, "anna@example.se")

    with transaction.atomic():
        anonymise([anna.pk], now=timezone.now())

    assert list(OutboxMessage.objects.filter(registration=anna).values_list("status", "to")) == [
        (MessageStatus.SKIPPED, "")
    ]
