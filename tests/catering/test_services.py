"""Catering figures, frozen lists and the venue's e-mail: counts, never names."""

from __future__ import annotations

import ast
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from frukost.catering.enums import ListReason
from frukost.catering.exceptions import NoVenueContact
from frukost.catering.models import CateringList, CateringPlan
from frukost.catering.services import (
    books_to_order,
    catering_figures,
    freeze_catering_list,
    freeze_closed_catering_lists,
    send_catering_list,
    update_catering_plan,
)
from frukost.core.models import AuditLog
from frukost.events.models import STOCKHOLM
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register

pytestmark = pytest.mark.django_db

VENUE = "kok@scandic.example"


def venue(event, language="sv", margin=0):
    return update_catering_plan(
        event=event, venue_contact_name="Köket", venue_email=VENUE, language=language, book_margin=margin
    )


def venue_mail() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=MailKind.CATERING).order_by("created_at", "id"))


def test_catering_figures_count_diets_of_everyone_with_a_seat(event_factory, person, colleague, frozen):
    frozen("2029-04-20 10:00")
    event = event_factory(capacity=4)
    register(
        event=event,
        person=person("anna@example.se", diets=["vegetarian", "gluten"]),
        colleagues=[colleague("bo@example.se")],
    )
    register(event=event, person=person("cilla@example.se", diets=["vegetarian"], diet_other="Laktosfri"))
    register(event=event, person=person("dan@example.se"))
    register(event=event, person=person("waiting@example.se", diets=["fish"]))
    gone = register(event=event, person=person("gone@example.se", diets=["nuts"])).registration
    cancel_registration(registration=Registration.objects.get(pk=gone.pk))

    figures = catering_figures(event)

    assert (figures.headcount, figures.confirmed, figures.unconfirmed) == (4, 3, 1)
    assert figures.diets == {"vegetarian": 2, "gluten": 1}
    assert figures.notes == ["Laktosfri"]
    assert figures.without_special_diet == 1


def test_catering_figures_waitlisted_and_cancelled_count_for_nothing(event_factory, person, frozen):
    frozen("2029-04-20 10:00")
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se", diets=["vegan"]))
    register(event=event, person=person("bo@example.se", diets=["fish"], diet_other="Inga räkor"))

    figures = catering_figures(event)

    assert (figures.headcount, figures.diets, figures.notes) == (1, {"vegan": 1}, [])
    assert Registration.objects.filter(status=Status.WAITLISTED).count() == 1


def test_catering_figures_notes_are_sorted_and_without_the_writers_name(event, person, frozen):
    frozen("2029-04-20 10:00")
    register(event=event, person=person("z@example.se", first_name="Zelda", diet_other="zelda: inga nötter"))
    register(event=event, person=person("a@example.se", first_name="Åsa", diet_other="Ärtor går inte"))
    register(
        event=event, person=person("b@example.se", last_name="Berg", diet_other="Allergisk mot selleri, Berg")
    )
    register(event=event, person=person("c@example.se", diet_other="  Allergisk   mot selleri "))

    figures = catering_figures(event)

    assert figures.notes == [
        "Allergisk mot selleri",
        "Allergisk mot selleri, …",
        "Ärtor går inte",
        "…: inga nötter",
    ]


def test_books_to_order_is_confirmed_plus_held_plus_margin(event_factory, person, colleague, frozen):
    frozen("2029-04-20 10:00")
    event = event_factory(capacity=10, max_colleagues=2)
    register(
        event=event,
        person=person("anna@example.se"),
        colleagues=[colleague("bo@example.se"), colleague("cilla@example.se")],
    )
    register(event=event, person=person("dan@example.se"))
    venue(event, margin=5)

    books = books_to_order(event)

    assert (books.confirmed, books.held, books.margin, books.to_order) == (2, 2, 5, 9)


def test_send_catering_list_mails_figures_without_names_addresses_or_membership(event, person, frozen):
    frozen("2029-04-20 10:00")
    venue(event)
    register(
        event=event,
        person=person(
            "markoremail1@example.se",
            first_name="Xylofonia",
            last_name="Markörsdotter",
            membership="member",
            diets=["vegetarian"],
            diet_other="Xylofonia vill ha havremjölk",
        ),
    )
    register(
        event=event,
        person=person(
            "markoremail2@example.se", first_name="Qvintus", last_name="Zebrasson", membership="not_member"
        ),
    )

    send_catering_list(event=event)

    [message] = venue_mail()
    whole = "\n".join([message.subject, message.body_text, message.body_html])
    for secret in [
        "Xylofonia",
        "Markörsdotter",
        "Qvintus",
        "Zebrasson",
        "markoremail",
        "@example.se",
        "medlem",
    ]:
        assert secret.lower() not in whole.lower(), secret
    assert message.to == VENUE
    assert message.subject == "Förtäring: Chefsfrukost: Leda med tillit, onsdag 16 maj 2029"
    assert "Antal personer: 2" in message.body_text
    assert "- Vegetarisk: 1" in message.body_text
    assert "- … vill ha havremjölk" in message.body_text


def test_send_catering_list_later_list_says_what_changed(event_factory, person, frozen):
    frozen("2029-04-20 10:00")
    event = event_factory()
    venue(event, language="en")
    gluten = register(event=event, person=person("g@example.se", diets=["gluten"])).registration
    register(event=event, person=person("v1@example.se", diets=["vegetarian"]))
    send_catering_list(event=event)
    frozen("2029-04-21 10:00")
    register(event=event, person=person("v2@example.se", diets=["vegetarian"]))
    register(event=event, person=person("v3@example.se", diets=["vegetarian"]))
    cancel_registration(registration=Registration.objects.get(pk=gluten.pk))

    send_catering_list(event=event)

    first, second = venue_mail()
    assert "Since the last list" not in first.body_text
    assert second.subject == "Updated catering figures: Chefsfrukost: Leda med tillit, Wednesday 16 May 2029"
    assert "Since the last list: +2 vegetarian, \u22121 gluten\n" in second.body_text
    assert "Number of people: 3 (since the last list: +1)" in second.body_text
    assert "They replace the list we sent on 20 April 2029." in second.body_text


def test_send_catering_list_difference_in_swedish(event, person, frozen):
    frozen("2029-04-20 10:00")
    venue(event)
    gluten = register(event=event, person=person("g@example.se", diets=["gluten"])).registration
    send_catering_list(event=event)
    register(event=event, person=person("v1@example.se", diets=["vegetarian"]))
    register(event=event, person=person("v2@example.se", diets=["vegetarian"]))
    cancel_registration(registration=Registration.objects.get(pk=gluten.pk))

    send_catering_list(event=event)

    assert "Sedan förra listan: +2 vegetarisk, \u22121 gluten\n" in venue_mail()[1].body_text


def test_send_catering_list_refuses_without_venue_contact(event):
    with pytest.raises(NoVenueContact):
        send_catering_list(event=event)

    assert (CateringList.objects.count(), venue_mail()) == (0, [])


def test_freeze_catering_list_stores_figures_and_audits_without_values(event, person, frozen, staff_factory):
    frozen("2029-04-20 10:00")
    organiser = staff_factory("organiser")
    register(event=event, person=person("anna@example.se", diets=["egg"], diet_other="Inget fläsk"))

    snapshot = freeze_catering_list(event=event, reason=ListReason.MANUAL, actor=organiser)

    assert (snapshot.headcount, snapshot.diets, snapshot.notes, snapshot.sent_at) == (
        1,
        {"egg": 1},
        ["Inget fläsk"],
        None,
    )
    entry = AuditLog.objects.get(action="catering.frozen")
    assert entry.data == {"list_id": snapshot.pk, "reason": "manual"}
    assert entry.actor == organiser


# --- Freezing when registration closes (the worker's housekeeping) ---------------------------
# Deadline 2029-03-31 (the last Sunday of March: summer time starts at 02.00 that night).
# Registration is open all of that day, so it closes at 00.00 on 1 April, Stockholm time.


def test_freeze_closed_catering_lists_waits_until_the_deadline_day_is_over(event_factory, person, frozen):
    event = event_factory(registration_deadline=dt.date(2029, 3, 31))
    venue(event)
    frozen("2029-03-20 10:00")
    register(event=event, person=person("anna@example.se", diets=["vegan"]))

    frozen("2029-03-31 23:59")
    before = freeze_closed_catering_lists()
    frozen("2029-04-01 00:00")
    at_closing = freeze_closed_catering_lists()
    again = freeze_closed_catering_lists()

    [snapshot] = CateringList.objects.all()
    assert (before, at_closing, again) == (0, 1, 0)
    assert (snapshot.reason, snapshot.headcount, snapshot.diets) == (ListReason.CLOSED, 1, {"vegan": 1})
    assert snapshot.sent_at == dt.datetime(2029, 4, 1, 0, 0, tzinfo=STOCKHOLM)
    assert [m.to for m in venue_mail()] == [VENUE]


def test_freeze_closed_catering_lists_deadline_time_on_the_summer_time_night(event_factory, frozen):
    # 2029-03-25 02.00 does not exist in Stockholm; the clock jumps to 03.00 (01.00 UTC).
    event = event_factory(
        registration_deadline=dt.date(2029, 3, 25), registration_deadline_time=dt.time(3, 0)
    )

    frozen("2029-03-25 01:59")
    before = freeze_closed_catering_lists()
    frozen("2029-03-25 03:00")
    after = freeze_closed_catering_lists()

    assert (before, after) == (0, 1)
    assert CateringList.objects.get(event=event).created_at == dt.datetime(2029, 3, 25, 1, 0, tzinfo=dt.UTC)


def test_freeze_closed_catering_lists_without_venue_contact_freezes_only(event_factory, frozen):
    event_factory(registration_deadline=dt.date(2029, 5, 1))
    frozen("2029-05-02 00:00")

    done = freeze_closed_catering_lists()

    [snapshot] = CateringList.objects.all()
    assert (done, snapshot.sent_at, venue_mail()) == (1, None, [])


def test_freeze_closed_catering_lists_sends_changes_once_a_day_until_the_event(event_factory, person, frozen):
    event = event_factory(
        registration_deadline=dt.date(2029, 5, 13),
        starts_at=dt.datetime(2029, 5, 16, 8, 0, tzinfo=STOCKHOLM),
    )
    venue(event, language="en")
    frozen("2029-05-10 10:00")
    keep = register(event=event, person=person("anna@example.se", diets=["gluten"])).registration
    register(event=event, person=person("bo@example.se", diets=["gluten"]))
    frozen("2029-05-14 00:00")
    freeze_closed_catering_lists()
    frozen("2029-05-14 09:00")
    cancel_registration(registration=Registration.objects.get(pk=keep.pk))

    same_day = freeze_closed_catering_lists()
    frozen("2029-05-15 00:00")
    next_day = freeze_closed_catering_lists()
    frozen("2029-05-16 00:30")
    unchanged = freeze_closed_catering_lists()

    closed, changed = venue_mail()
    assert (same_day, next_day, unchanged) == (0, 1, 0)
    assert "Since the last list: \u22121 gluten\n" in changed.body_text
    assert list(CateringList.objects.order_by("id").values_list("reason", flat=True)) == ["closed", "changed"]


def test_freeze_closed_catering_lists_skips_drafts_and_past_events(event_factory, frozen):
    event_factory(status="draft", registration_deadline=dt.date(2029, 5, 1))
    event_factory(
        registration_deadline=dt.date(2029, 1, 1),
        starts_at=dt.datetime(2029, 1, 10, 8, 0, tzinfo=STOCKHOLM),
        ends_at=dt.datetime(2029, 1, 10, 9, 0, tzinfo=STOCKHOLM),
    )
    frozen("2029-05-02 00:00")

    assert freeze_closed_catering_lists() == 0


def test_worker_round_freezes_and_sends_the_list_at_closing(event_factory, person, frozen):
    event = event_factory(registration_deadline=dt.date(2029, 5, 1))
    venue(event)
    frozen("2029-04-30 12:00")
    register(event=event, person=person("anna@example.se", diets=["sesame"]))
    call_command("worker", once=True, stdout=io.StringIO())
    mail.outbox.clear()

    frozen("2029-05-02 00:00")
    output = io.StringIO()
    call_command("worker", once=True, stdout=output)

    summary = ast.literal_eval(output.getvalue().strip())
    assert (summary["catering"], summary["sent"], summary["requeued"], summary["released"]) == (1, 1, 0, 0)
    assert [m.to for m in mail.outbox] == [[VENUE]]
    assert "- Sesamfrö: 1" in mail.outbox[0].body


def test_freeze_closed_catering_lists_freezes_when_the_organiser_closes_registration_early(
    event_factory, person, frozen
):
    from frukost.events.services import close_registration

    event = event_factory(registration_deadline=dt.date(2029, 5, 1))
    venue(event)
    frozen("2029-04-10 10:00")
    register(event=event, person=person("anna@example.se", diets=["gluten"]))
    before = freeze_closed_catering_lists()

    close_registration(event=event)
    frozen("2029-04-10 10:01")
    after = freeze_closed_catering_lists()

    assert (before, after) == (0, 1)
    assert [m.to for m in venue_mail()] == [VENUE]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"venue_email": "inte-en-adress"}, "venue_email"),
        ({"book_margin": -1}, "book_margin"),
        ({"language": "de"}, "language"),
    ],
)
def test_update_catering_plan_refuses_bad_values_itself_and_saves_nothing(event, changes, field):
    from frukost.catering.exceptions import InvalidCateringPlan
    from frukost.catering.services import update_catering_plan

    values = {
        "venue_contact_name": "Köket",
        "venue_email": "kok@example.se",
        "language": "sv",
        "book_margin": 2,
    }

    with pytest.raises(InvalidCateringPlan) as refused:
        update_catering_plan(event=event, **(values | changes))

    assert list(refused.value.errors) == [field]
    assert CateringPlan.objects.count() == 0
