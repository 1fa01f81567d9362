import datetime as dt
import json
import re

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import translation

from frukost.core.models import AuditLog
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.privacy.exceptions import AlreadyErased, LinkInvalid
from frukost.privacy.selfservice import (
    erase_registration,
    personal_data,
    registrations_for_link,
    request_data_link,
)
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import Answers, cancel_registration, confirm_colleague, register
from tests.conftest import outbox_for, stockholm, worker_keeps_up

pytestmark = pytest.mark.django_db

# Unique strings in every field the person fills in: none may survive an erasure.
MARKERS = {
    "first_name": "Markörförnamn",
    "last_name": "Markörefternamn",
    "workplace": "Markörkommunen",
    "job_title": "Markörchef",
    "diet_other": "markörnötter",
    "other_needs": "markörslinga",
    "answer": "markörsvar",
}
ADDRESS = "marker.person@example.se"


def _fields(section):
    return {field["key"]: field["value"] for field in section["fields"]}


def _entries(section):
    return [{field["key"]: field["value"] for field in entry} for entry in section["entries"]]


def _marked(event, person, colleagues=()):
    result = register(
        event=event,
        person=person(
            ADDRESS,
            first_name=MARKERS["first_name"],
            last_name=MARKERS["last_name"],
            workplace=MARKERS["workplace"],
            job_title=MARKERS["job_title"],
            diets=("vegetarian",),
            diet_other=MARKERS["diet_other"],
            other_needs=MARKERS["other_needs"],
            answer=MARKERS["answer"],
        ),
        colleagues=colleagues,
    )
    return result.registration


def _send_everything():
    worker_keeps_up()
    send_due()


def test_personal_data_lists_the_persons_fields_status_event_colleagues_and_mail(event, person, colleague):
    anna = register(
        event=event,
        person=person("anna@example.se", workplace="Sundsvalls kommun", diets=("vegan", "gluten")),
        colleagues=[colleague("bo@example.se")],
    ).registration
    bo = Registration.objects.get(email="bo@example.se")
    with transaction.atomic():
        confirm_colleague(
            registration=bo,
            answers=Answers(membership="undisclosed"),
            language="sv",
        )
    send_due()

    with translation.override("sv"):
        data = personal_data(anna)
        bos = personal_data(Registration.objects.get(pk=bo.pk))

    assert (data["schema"], data["version"]) == ("frukost.personal-data", 1)
    assert list(data["sections"]) == [
        "person",
        "registration",
        "event",
        "registered_by",
        "colleagues",
        "emails",
        "invitations",
        "invitation_lists",
        "do_not_mail",
        "lead",
        "feedback",
        "door",
    ]
    assert data["sections"]["door"]["fields"] == []  # not at the door yet
    person_fields = _fields(data["sections"]["person"])
    assert person_fields["first_name"] == "Anna"
    assert person_fields["email"] == "anna@example.se"
    assert person_fields["workplace"] == "Sundsvalls kommun"
    assert person_fields["membership"] == "Ja, jag är medlem"
    assert person_fields["diets"] == ["Vegansk", "Gluten"]
    assert person_fields["wants_future_invitations"] is False
    labels = [field["label"] for field in data["sections"]["person"]["fields"]]
    assert labels[:3] == ["Förnamn", "Efternamn", "E-post"]
    assert _fields(data["sections"]["registration"])["status"] == "Har plats"
    assert _fields(data["sections"]["event"])["title"] == event.title
    # The colleague as Anna named them (never whether their address became a registration);
    # Bo's own answers are Bo's.
    assert _entries(data["sections"]["colleagues"]) == [{"name": "Bo Ek"}]
    assert "undisclosed" not in json.dumps(data, cls=DjangoJSONEncoder)
    assert [(e["kind"], e["status"]) for e in _entries(data["sections"]["emails"])] == [
        ("Anmälan bekräftad", "Skickat")
    ]
    assert data["sections"]["registered_by"]["fields"] == []
    assert _fields(bos["sections"]["registered_by"]) == {"name": "Anna Svensson"}
    assert _fields(bos["sections"]["person"])["membership"] == "Jag vill inte svara"


def test_personal_data_says_when_the_person_arrived_and_got_the_book(event, person):
    from frukost.checkin.services import check_in, hand_out_book

    anna = register(event=event, person=person("anna@example.se")).registration
    check_in(registration=anna, actor=None, at=stockholm(2029, 5, 16, 7, 42))
    hand_out_book(registration=anna, actor=None, at=stockholm(2029, 5, 16, 7, 43))

    with translation.override("sv"):
        door = personal_data(Registration.objects.get(pk=anna.pk))["sections"]["door"]

    assert door["title"] == "Vid entrén"
    assert _fields(door) == {
        "checked_in_at": stockholm(2029, 5, 16, 7, 42),
        "book_handed_at": stockholm(2029, 5, 16, 7, 43),
        "walk_in": False,
    }


def test_personal_data_is_json_with_times_in_stockholm(event, person):
    anna = register(event=event, person=person("anna@example.se")).registration

    text = json.dumps(personal_data(anna), cls=DjangoJSONEncoder, ensure_ascii=False)

    starts = _fields(json.loads(text)["sections"]["event"])["starts_at"]
    assert starts == "2029-05-16T08:00:00+02:00"


def test_erase_frees_the_seat_promotes_the_waiting_list_and_leaves_no_personal_data(
    event_factory, person, colleague
):
    event = event_factory(capacity=2)
    marked = _marked(event, person, colleagues=[colleague("bo@example.se", first_name="Bo", last_name="Ek")])
    register(event=event, person=person("cilla@example.se", first_name="Cilla"))
    _send_everything()
    assert Registration.objects.get(email="cilla@example.se").status == Status.WAITLISTED

    erase_registration(registration=marked)

    cilla = Registration.objects.get(email="cilla@example.se")
    assert cilla.status == Status.REGISTERED
    assert [m.kind for m in outbox_for("cilla@example.se")][-1] == MailKind.PROMOTED
    row = Registration.objects.filter(pk=marked.pk).values().get()
    assert (row["status"], row["anonymised_at"] is not None) == (Status.CANCELLED, True)
    stored = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
    about = OutboxMessage.objects.filter(registration_id=marked.pk).values()
    stored += json.dumps(list(about), cls=DjangoJSONEncoder, ensure_ascii=False)
    # The colleague's mail named who registered them.
    stored += json.dumps(
        list(OutboxMessage.objects.filter(to="bo@example.se").values("subject")), ensure_ascii=False
    )
    for marker in [*MARKERS.values(), ADDRESS]:
        assert marker not in stored
    assert Registration.objects.get(email="bo@example.se").status == Status.REGISTERED
    assert (
        AuditLog.objects.filter(action="registration.erased_by_person", registration_id=marked.pk).count()
        == 1
    )
    # Erased people get the erasure receipt, not a cancellation receipt too.
    assert not OutboxMessage.objects.filter(kind=MailKind.CANCELLATION).exists()


def test_erasure_receipt_holds_no_personal_data_and_forgets_its_address_once_sent(event, person):
    marked = _marked(event, person)
    _send_everything()

    erase_registration(registration=marked)

    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)
    assert (receipt.to, receipt.registration_id) == (ADDRESS, None)
    assert receipt.subject == "Dina personuppgifter är raderade"
    text = receipt.subject + receipt.body_text + receipt.body_html
    for marker in MARKERS.values():
        assert marker not in text
    assert "Vegetarisk" not in text
    assert "16 maj" not in text  # the date and place are not in it either
    assert event.title in receipt.body_text

    assert send_due() == 1

    receipt.refresh_from_db()
    assert (receipt.status, receipt.to, receipt.body_text, receipt.body_html) == (
        MessageStatus.SENT,
        "",
        "",
        "",
    )
    assert not OutboxMessage.objects.filter(to=ADDRESS).exists()


def test_erasure_receipt_that_fails_for_good_forgets_its_address_too(event, person, settings):
    marked = _marked(event, person)
    erase_registration(registration=marked)
    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)
    OutboxMessage.objects.filter(pk=receipt.pk).update(to="not an address")

    send_due()

    receipt.refresh_from_db()
    assert (receipt.status, receipt.to) == (MessageStatus.FAILED, "")


def test_erasure_receipt_given_up_after_a_crashed_worker_forgets_its_address(event, person, settings):
    from django.utils import timezone

    from frukost.mail.worker import requeue_stuck

    erase_registration(registration=_marked(event, person))
    long_ago = timezone.now() - dt.timedelta(hours=1)
    OutboxMessage.objects.filter(kind=MailKind.ERASURE_RECEIPT).update(
        status=MessageStatus.SENDING, claimed_at=long_ago, attempts=settings.FRUKOST_MAIL_MAX_ATTEMPTS
    )

    requeue_stuck()

    assert list(OutboxMessage.objects.filter(kind=MailKind.ERASURE_RECEIPT).values_list("status", "to")) == [
        (MessageStatus.FAILED, "")
    ]


def test_erase_of_a_cancelled_registration_only_erases(event_factory, person):
    event = event_factory(capacity=1)
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("cilla@example.se"))
    cancel_registration(registration=anna)
    promotions = OutboxMessage.objects.filter(kind=MailKind.PROMOTED).count()
    cancelled_at = Registration.objects.get(pk=anna.pk).cancelled_at

    erased = erase_registration(registration=anna)

    assert (erased.status, erased.cancelled_at, erased.email) == (Status.CANCELLED, cancelled_at, "")
    assert OutboxMessage.objects.filter(kind=MailKind.PROMOTED).count() == promotions == 1
    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)
    assert "väntelistan" not in receipt.body_text  # nothing was cancelled by the erasure


def test_a_colleague_mailed_after_the_inviter_was_erased_is_told_a_colleague_registered_them(
    client, event, person, colleague
):
    anna = register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    erase_registration(registration=anna.registration)

    [invitation] = outbox_for("bo@example.se")

    assert invitation.subject == f"En kollega har anmält dig till {event.title}"
    assert "Anna" not in invitation.body_text
    path = re.search(r"http://testserver(/r/[\w-]+/)", invitation.body_text).group(1)
    assert "Anmäld av" not in client.get(path).content.decode()


def test_erase_twice_is_refused_and_changes_nothing(event, person):
    anna = register(event=event, person=person("anna@example.se")).registration
    erase_registration(registration=anna)

    with pytest.raises(AlreadyErased):
        erase_registration(registration=anna)

    assert OutboxMessage.objects.filter(kind=MailKind.ERASURE_RECEIPT).count() == 1


def test_erase_of_a_waitlisted_person_promotes_nobody(event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    cilla = register(event=event, person=person("cilla@example.se")).registration

    erase_registration(registration=cilla)

    assert not OutboxMessage.objects.filter(kind=MailKind.PROMOTED).exists()
    assert Registration.objects.get(pk=cilla.pk).status == Status.CANCELLED
    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT).body_text
    assert "du står inte längre på väntelistan" in receipt
    assert "din plats" not in receipt


# --- The data request by address ---------------------------------------------------------


def _link(address: str) -> str:
    body = OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST, to=address).latest("id").body_text
    return re.search(r"/mina-uppgifter/([^/\s]+)/", body).group(1)


def test_data_request_for_an_unknown_address_sends_nothing(event, person):
    register(event=event, person=person("anna@example.se"))

    assert request_data_link(email="nobody@example.se", language="sv") is False

    assert not OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).exists()


def test_data_request_mails_a_link_to_every_registration_of_the_address(event_factory, person):
    first, second = event_factory(), event_factory(title="Vårfrukost")
    register(event=first, person=person("anna@example.se"))
    register(event=second, person=person("anna@example.se"))
    register(event=first, person=person("bo@example.se"))

    assert request_data_link(email="  Anna@Example.SE ", language="en") is True

    message = OutboxMessage.objects.get(kind=MailKind.DATA_REQUEST)
    assert (message.to, message.registration_id) == ("anna@example.se", None)
    assert message.subject == "Your link to the personal data we hold"
    assert "anna" not in _link("anna@example.se").lower()  # the link does not carry the address
    shown = registrations_for_link(_link("anna@example.se"))
    assert sorted(r.event.title for r in shown) == sorted([first.title, "Vårfrukost"])


def test_data_requests_are_capped_per_address_and_hour(event, person, frozen, settings):
    register(event=event, person=person("anna@example.se"))
    frozen("2029-04-01 10:00")
    DATA_REQUESTS_PER_HOUR = settings.FRUKOST_MAIL_PER_ADDRESS_PER_HOUR  # one cap, the registrations' too

    sent = [
        request_data_link(email="anna@example.se", language="sv") for _ in range(DATA_REQUESTS_PER_HOUR + 1)
    ]
    frozen("2029-04-01 11:00:01")
    later = request_data_link(email="anna@example.se", language="sv")

    assert sent == [True] * DATA_REQUESTS_PER_HOUR + [False]
    assert later is True


def test_data_request_link_expires_after_24_hours(event, person, frozen):
    register(event=event, person=person("anna@example.se"))
    frozen("2029-04-01 10:00")
    request_data_link(email="anna@example.se", language="sv")
    token = _link("anna@example.se")

    frozen("2029-04-02 09:59")
    assert len(registrations_for_link(token)) == 1
    frozen("2029-04-02 10:00:01")
    with pytest.raises(LinkInvalid):
        registrations_for_link(token)


@pytest.mark.parametrize("token", ["", "x", "eyJyIjpbMV19:1:abc", "a" * 300])
def test_data_request_link_refuses_forged_tokens(token):
    with pytest.raises(LinkInvalid):
        registrations_for_link(token)


def test_data_request_link_stops_working_once_everything_on_it_is_erased(event_factory, person):
    first, second = event_factory(), event_factory()
    one = register(event=first, person=person("anna@example.se")).registration
    two = register(event=second, person=person("anna@example.se")).registration
    request_data_link(email="anna@example.se", language="sv")
    token = _link("anna@example.se")

    erase_registration(registration=one)
    assert [r.pk for r in registrations_for_link(token)] == [two.pk]
    erase_registration(registration=two)

    with pytest.raises(LinkInvalid):
        registrations_for_link(token)


def test_data_request_link_leaves_out_a_registration_whose_address_was_changed(event_factory, person):
    first, second = event_factory(), event_factory()
    register(event=first, person=person("anna@example.se"))
    moved = register(event=second, person=person("anna@example.se")).registration
    request_data_link(email="anna@example.se", language="sv")
    Registration.objects.filter(pk=moved.pk).update(email="someone.else@example.se")

    assert [r.event_id for r in registrations_for_link(_link("anna@example.se"))] == [first.pk]


def test_erasure_receipt_is_in_the_persons_language(event, person):
    anna = register(event=event, person=person("anna@example.se", language="en")).registration

    erase_registration(registration=anna, now=dt.datetime(2029, 4, 1, tzinfo=dt.UTC))

    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)
    assert receipt.subject == "Your personal data has been erased"
    assert Registration.objects.get(pk=anna.pk).anonymised_at == dt.datetime(2029, 4, 1, tzinfo=dt.UTC)


# --- Erasure after the event has started ---------------------------------------------------


def test_erase_after_the_event_keeps_the_seat_count_and_says_nothing_about_seats(
    event_factory, person, frozen
):
    from frukost.registrations.services.seats import seats_taken

    event = event_factory(capacity=2)
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("bo@example.se"))
    register(event=event, person=person("cilla@example.se"))  # waiting
    frozen("2029-05-19 10:00")  # three days after the event

    erased = erase_registration(registration=anna)

    assert (erased.status, erased.email, erased.anonymised_at is not None) == (Status.REGISTERED, "", True)
    assert seats_taken(event) == 2
    assert Registration.objects.get(email="cilla@example.se").status == Status.WAITLISTED
    assert not OutboxMessage.objects.filter(kind=MailKind.PROMOTED).exists()
    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)
    for text in (receipt.body_text, receipt.body_html):
        assert "avanmäl" not in text and "plats" not in text and "väntelistan" not in text


def test_erase_of_a_waitlisted_person_after_the_event_keeps_the_queue_as_it_was(
    event_factory, person, frozen
):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    cilla = register(event=event, person=person("cilla@example.se")).registration
    frozen("2029-05-16 08:30")  # the event has begun

    assert erase_registration(registration=cilla).status == Status.WAITLISTED
    assert "väntelistan" not in OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT).body_text


def test_erase_before_the_event_says_the_seat_moved_on_only_if_someone_moved_up(event_factory, person):
    event = event_factory(capacity=1)
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("cilla@example.se"))
    alone = register(event=event_factory(), person=person("bo@example.se")).registration

    erase_registration(registration=anna)
    erase_registration(registration=alone)

    moved_up, nobody = (
        m.body_text for m in OutboxMessage.objects.filter(kind=MailKind.ERASURE_RECEIPT).order_by("id")
    )
    assert "Vi avanmälde dig först, och din plats har gått till nästa person på väntelistan." in moved_up
    assert "Vi avanmälde dig först." in nobody
    assert "väntelistan" not in nobody


def test_erasure_receipt_links_the_organisations_privacy_notice(event, person):
    erase_registration(registration=register(event=event, person=person("anna@example.se")).registration)

    receipt = OutboxMessage.objects.get(kind=MailKind.ERASURE_RECEIPT)

    notice = f"/{event.organisation.slug}/integritet/"
    assert notice in receipt.body_text and notice in receipt.body_html
