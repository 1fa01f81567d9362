import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frukost.events.enums import EventStatus
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db


def test_event_page_shows_every_fact_of_the_invitation(client, event_factory):
    event = event_factory(
        body="Under många år har detaljregleringen ökat.",
        questions="Hur ser det ut i din verksamhet?\nKrävs det ett annat ledarskap?",
    )

    page = client.get(event.get_absolute_url()).content.decode()

    for fact in [
        "<h1>Chefsfrukost: Leda med tillit</h1>",
        "Hanna Broberg",
        "chefsstrateg på Akademikerförbundet SSR",
        "Allt fler pratar om tillit.",
        "Under många år har detaljregleringen ökat.",
        "<li>Hur ser det ut i din verksamhet?</li>",
        "<li>Krävs det ett annat ledarskap?</li>",
        "Boken Leda med tillit",
        "Onsdag 16 maj 2029",
        "kl. 08.00–09.30",
        "07.30",
        "Scandic Sundsvall City",
        "Trädgårdsgatan 31-33",
        "openstreetmap.org",
        "tisdag 1 maj 2029",
        "Julia Wålbrink",
        'href="mailto:julia.walbrink@akademssr.se"',
        "kalender.ics",
    ]:
        assert fact in page, fact


def test_event_page_sanitises_the_organisers_markdown(client, event_factory):
    event = event_factory(body="**Viktigt** <script>alert(1)</script> [länk](javascript:alert(1))")

    page = client.get(event.get_absolute_url()).content.decode()

    assert "<strong>Viktigt</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "javascript:alert" not in page


def test_event_page_says_few_seats_remain_without_a_number(client, event_factory, person):
    """The exact count would move only for new addresses and so tell which are registered."""
    event = event_factory(capacity=3, few_seats_threshold=5)
    register(event=event, person=person("anna@example.se"))

    page = client.get(event.get_absolute_url()).content.decode()

    assert "Bara några platser kvar" in page
    assert "2 platser kvar" not in page


def test_event_page_offers_the_waiting_list_when_full(client, event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))

    page = client.get(event.get_absolute_url()).content.decode()

    assert 'class="state state--waiting_list"' in page
    assert 'name="first_name"' in page


def test_event_page_after_the_deadline_has_no_form(client, event, frozen):
    frozen("2029-05-02 00:00")

    page = client.get(event.get_absolute_url()).content.decode()

    assert 'class="state state--closed"' in page
    assert 'name="first_name"' not in page


def test_cancelled_event_keeps_its_page(client, event_factory):
    event = event_factory(status=EventStatus.CANCELLED)

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert 'class="state state--cancelled"' in response.content.decode()


def test_draft_event_is_not_public(client, event_factory):
    event = event_factory(status=EventStatus.DRAFT)

    assert client.get(event.get_absolute_url()).status_code == 404


def test_event_calendar_download_is_an_ics_file(client, event):
    response = client.get(event.get_absolute_url() + "kalender.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_index_lists_upcoming_events_soonest_first(client, event_factory, frozen):
    frozen("2029-01-01 12:00")
    later = event_factory(title="Senare frukost")
    sooner = event_factory(
        title="Tidigare frukost",
        starts_at=later.starts_at.replace(month=3),
        ends_at=later.ends_at.replace(month=3),
        doors_at=None,
        registration_deadline=None,
    )
    event_factory(title="Utkast", status=EventStatus.DRAFT)

    page = client.get("/").content.decode()

    assert page.index(sooner.title) < page.index(later.title)
    assert "Utkast" not in page


def test_index_query_count_does_not_grow_with_events(client, event_factory, person):
    def queries_for_index() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        return len(queries)

    register(event=event_factory(), person=person("person0@example.se"))
    one = queries_for_index()
    for number in (1, 2):
        register(event=event_factory(), person=person(f"person{number}@example.se"))

    assert queries_for_index() == one == 1


def test_event_page_query_count_does_not_grow_with_registrations(client, event_factory, person):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(event.get_absolute_url()).status_code == 200
        return len(queries)

    event = event_factory()
    register(event=event, person=person("person0@example.se"))
    one = queries_for_page()
    for number in (1, 2):
        register(event=event, person=person(f"person{number}@example.se"))

    assert queries_for_page() == one <= 3


def test_pages_are_swedish_unless_the_visitor_chose_english(event):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en")
    assert '<html lang="sv">' in browser.get(event.get_absolute_url()).content.decode()

    browser.post("/i18n/setlang/", {"language": "en", "next": event.get_absolute_url()})

    assert '<html lang="en">' in browser.get(event.get_absolute_url()).content.decode()


def test_event_page_shows_a_changed_question_at_once(client, event_factory):
    event = event_factory(custom_question="Vad vill du ta upp?")
    assert "Vad vill du ta upp?" in client.get(event.get_absolute_url()).content.decode()

    event.custom_question = "Vilken fråga har du till Hanna?"
    event.save()

    page = client.get(event.get_absolute_url()).content.decode()
    assert "Vilken fråga har du till Hanna?" in page
    assert "Vad vill du ta upp?" not in page


def test_error_page_answers_even_when_its_own_template_fails(rf, monkeypatch):
    from frukost.public import views

    def broken_render(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'frukost/site.css'")

    monkeypatch.setattr(views, "render", broken_render)

    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()
