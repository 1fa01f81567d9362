"""The back office after the event: write → preview → send the follow-up mails, and the feedback
results per event and per series (figures, the chart, names only where agreed, flat queries)."""

from __future__ import annotations

import pytest

from frukost.checkin import attendance
from frukost.events.models import Series
from frukost.followup.feedback import FeedbackAnswers, submit_feedback
from frukost.followup.models import FollowUp
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.privacy.erasure import anonymise
from tests.followup.conftest import arrive, make_breakfast, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def breakfast(event_factory, frozen):
    """Anna (member) and Bo (not a member, English) came, Cecilia did not; attendance closed."""
    event = make_breakfast(event_factory)
    frozen("2029-05-17 10:00")  # the day after: mails after the event go once it is over
    return event


def base(event) -> str:
    return f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/"


@pytest.fixture
def organiser(client, staff_factory, request):
    if "breakfast" in request.fixturenames:  # signed in after its clock moved to the day after
        request.getfixturevalue("breakfast")
    client.force_login(staff_factory("organiser", "olle@example.se"))
    return client


def _form(page_client, url) -> dict:
    """The prefilled form's values, as a browser would post them back."""
    from html.parser import HTMLParser

    values: dict[str, str] = {}

    class Parser(HTMLParser):
        current = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("type") not in ("submit", "checkbox") and attrs.get("name"):
                values[attrs["name"]] = attrs.get("value", "")
            if tag == "textarea":
                self.current = attrs["name"]
                values[self.current] = ""

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.current = None

        def handle_data(self, data):
            if self.current:
                values[self.current] += data

    Parser().feed(page_client.get(url).content.decode())
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_the_after_page_says_who_would_get_each_mail(organiser, breakfast):
    page = organiser.get(base(breakfast) + "efter-frukosten/").content.decode()

    assert "2 personer skulle få det nu." in page  # the thank-you: Anna and Bo
    assert "1 person skulle få det nu." in page  # sorry: Cecilia


def test_before_closing_the_sorry_says_attendance_is_open(client, staff_factory, event_factory, frozen):
    event = event_factory()
    arrive(seat(event, "anna@example.se"))
    frozen("2029-05-17 10:00")  # the day after, attendance still open
    client.force_login(staff_factory("organiser", "olle@example.se"))
    organiser = client

    page = organiser.get(base(event) + "efter-frukosten/").content.decode()
    write = organiser.get(base(event) + "efter-frukosten/vi-saknade-dig/")
    preview = organiser.post(
        base(event) + "efter-frukosten/vi-saknade-dig/",
        {"step": "preview", "subject": "Hej", "body": "Hej"},
    )

    assert "Närvaron är fortfarande öppen" in page
    assert "Närvaron är fortfarande öppen" in write.content.decode()
    assert preview.status_code == 409
    assert "Stäng närvaron först" in preview.content.decode()


def test_during_the_event_the_page_says_to_wait(client, staff_factory, event_factory, frozen):
    event = event_factory()
    arrive(seat(event, "anna@example.se"))
    frozen("2029-05-16 08:30")
    client.force_login(staff_factory("organiser", "olle@example.se"))

    preview = client.post(
        base(event) + "efter-frukosten/tack/", {"step": "preview", "subject": "Tack", "body": "Tack"}
    )

    assert preview.status_code == 409
    assert "Du kan skicka det här när frukosten är slut." in preview.content.decode()


def test_write_preview_send_once_even_when_clicked_twice(organiser, breakfast):
    url = base(breakfast) + "efter-frukosten/tack/"
    form = _form(organiser, url)
    assert form["subject"] == "Tack för att du kom: Chefsfrukost: Leda med tillit"

    preview = organiser.post(url, {**form, "step": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Tack, till dem som kom: mejlet går till 2 personer." in page
    assert "Hej [förnamn]!" in page and "Hello [first name]," in page
    assert OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_THANKS).count() == 0  # nothing sent yet

    sent = _form_from(page)
    first = organiser.post(url, {**sent, "step": "send"})
    second = organiser.post(url, {**sent, "step": "send"})  # the double click

    assert first.status_code == second.status_code == 302
    assert FollowUp.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=MailKind.FOLLOWUP_THANKS).count() == 2
    after = organiser.get(base(breakfast) + "efter-frukosten/").content.decode()
    assert "2 har redan fått det och får det inte igen." in after


def _form_from(page: str) -> dict:
    import re

    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_a_bad_subject_is_refused_with_the_text_kept(organiser, breakfast):
    url = base(breakfast) + "efter-frukosten/tack/"

    response = organiser.post(url, {"step": "preview", "subject": "", "body": "Tack!"})

    assert response.status_code == 400
    assert "Skriv en ämnesrad." in response.content.decode()
    assert "Tack!" in response.content.decode()


def test_door_staff_and_representatives_see_no_feedback(client, staff_factory, breakfast):
    for role in ("door", "representative"):
        client.force_login(staff_factory(role, f"{role}@example.se", events=[breakfast]))
        assert client.get(base(breakfast) + "aterkoppling/").status_code == 403
        assert client.get(base(breakfast) + "efter-frukosten/").status_code == 403


def _feedback(registration, rating, **answers):
    submit_feedback(
        registration=registration, answers=FeedbackAnswers(rating=rating, **answers), language="sv"
    )


def test_the_results_show_figures_chart_and_names_only_where_agreed(organiser, breakfast):
    anna, bo = breakfast.people["anna"], breakfast.people["bo"]
    _feedback(anna, 5, most_useful="Tilliten", comment="Toppen", show_name=True)
    _feedback(bo, 3, comment="Lite kort")

    page = organiser.get(base(breakfast) + "aterkoppling/").content.decode()

    assert "2 av 2 svarade" in page
    assert "4,0" in page
    assert 'role="img"' in page and "Betyg 5: 1; Betyg 4: 0; Betyg 3: 1" in page
    assert "Anna Öberg" in page and "Toppen" in page
    assert "Bo Ek" not in page and "Lite kort" in page


def test_an_anonymised_person_has_no_name_to_show(organiser, breakfast):
    from django.utils import timezone

    anna = breakfast.people["anna"]
    _feedback(anna, 5, comment="Toppen", show_name=True)
    anonymise([anna.pk], now=timezone.now())

    page = organiser.get(base(breakfast) + "aterkoppling/").content.decode()

    assert "Toppen" in page and "Öberg" not in page


@pytest.mark.parametrize("answers", [5, 50])
def test_the_event_results_take_a_fixed_number_of_queries(
    organiser, event_factory, answers, django_assert_max_num_queries
):
    event = event_factory(capacity=100)
    for number in range(answers):
        registration = seat(event, f"p{number}@example.se", membership="member")
        arrive(registration)
        _feedback(registration, 1 + number % 5, comment=f"Kommentar {number}", show_name=True)

    with django_assert_max_num_queries(12):
        response = organiser.get(base(event) + "aterkoppling/")
    assert response.status_code == 200


@pytest.mark.parametrize("events", [3, 12])
def test_the_series_results_take_a_fixed_number_of_queries(
    organiser, event_factory, organisation, events, django_assert_max_num_queries
):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukostar")
    for number in range(events):
        event = event_factory(series=series, city=f"Stad {number}")
        registration = seat(event, f"p{number}@example.se")
        arrive(registration)
        attendance.close_attendance(event)
        _feedback(registration, 4, comment="Bra")

    with django_assert_max_num_queries(12):
        response = organiser.get(f"/backoffice/{organisation.slug}/serier/{series.pk}/aterkoppling/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{events} av {events} svarade" in page
    assert page.count('class="num">4,0</td>') == events


def test_unanswered_events_say_so(organiser, breakfast):
    page = organiser.get(base(breakfast) + "aterkoppling/").content.decode()
    assert "0 av 2 svarade" in page
    assert "Ingen återkoppling än." in page
