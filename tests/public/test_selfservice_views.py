import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import rendered

pytestmark = pytest.mark.django_db

PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store, private",
    "X-Robots-Tag": "noindex, nofollow",
}


def _private(response) -> bool:
    return all(response[name] == value for name, value in PRIVATE_HEADERS.items())


def personal_path(address: str) -> str:
    message = rendered(
        [OutboxMessage.objects.filter(to=address).exclude(kind=MailKind.DATA_REQUEST).latest("id")]
    )[0]
    return re.search(r"http://testserver(/r/[\w-]+/)", message.body_text).group(1)


def data_request_path(address: str) -> str:
    body = OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST, to=address).latest("id").body_text
    return re.search(r"http://testserver(/mina-uppgifter/[^/\s]+/)", body).group(1)


def english(client):
    client.cookies.load({"frukost_language": "en"})


@pytest.fixture
def anna(event, person):
    return register(
        event=event, person=person("anna@example.se", workplace="Sundsvalls kommun", other_needs="Teleslinga")
    ).registration


# --- The personal page's links -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "download", "erase"),
    [
        ("sv", "Ladda ner mina uppgifter", "Radera mina uppgifter"),
        ("en", "Download my data", "Erase my data"),
    ],
)
def test_personal_page_links_to_my_data_and_erasure(client, anna, language, download, erase):
    path = personal_path("anna@example.se")
    if language == "en":
        english(client)

    page = client.get(path).content.decode()

    assert f'href="{path}mina-uppgifter/">{download}</a>' in page
    assert f'href="{path}radera/">{erase}</a>' in page


def test_a_cancelled_registration_still_offers_its_data_and_erasure(client, anna):
    path = personal_path("anna@example.se")
    client.post(path + "avanmal/")

    page = client.get(path).content.decode()

    assert "Ladda ner mina uppgifter" in page and "Radera mina uppgifter" in page
    assert "din plats går till" not in client.get(path + "radera/").content.decode()


def test_my_data_page_shows_everything_stored_in_swedish(client, anna):
    path = personal_path("anna@example.se")

    response = client.get(path + "mina-uppgifter/")

    page = response.content.decode()
    assert response.status_code == 200
    assert _private(response)
    assert "<h1>Dina uppgifter</h1>" in page
    for text in ("Förnamn", "Anna", "anna@example.se", "Sundsvalls kommun", "Teleslinga", "Har plats"):
        assert f"<dd>{text}</dd>" in page or f"<dt>{text}</dt>" in page
    assert "E-post till dig" in page
    assert f'href="{path}mina-uppgifter.json"' in page


def test_my_data_page_in_english(client, anna):
    path = personal_path("anna@example.se")
    english(client)

    page = client.get(path + "mina-uppgifter/").content.decode()

    assert "<h1>Your data</h1>" in page
    assert "First name" in page and "Has a seat" in page and "E-mails to you" in page


def test_my_data_json_is_a_readable_download(client, anna):
    path = personal_path("anna@example.se")

    response = client.get(path + "mina-uppgifter.json")

    assert response.status_code == 200
    assert _private(response)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="mina-uppgifter-\d{4}-\d\d-\d\d\.json"', response["Content-Disposition"]
    )
    text = response.content.decode()
    assert '"label": "Förnamn"' in text  # not \u00f6: readable as it is
    assert text.startswith('{\n  "schema"')
    data = json.loads(text)
    fields = {f["key"]: f["value"] for f in data["sections"]["person"]["fields"]}
    assert (fields["first_name"], fields["other_needs"]) == ("Anna", "Teleslinga")


def test_my_data_with_a_wrong_token_is_a_404(client, anna):
    assert client.get("/r/wrong/mina-uppgifter/").status_code == 404
    assert client.get("/r/wrong/mina-uppgifter.json").status_code == 404
    assert client.get("/r/wrong/radera/").status_code == 404


# --- Erasure from the personal link --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "seat"),
    [
        ("sv", "Radera dina uppgifter?", "din plats blir ledig"),
        ("en", "Erase your data?", "your seat is freed"),
    ],
)
def test_erase_page_explains_what_happens(client, anna, language, heading, seat):
    path = personal_path("anna@example.se")
    if language == "en":
        english(client)

    response = client.get(path + "radera/")

    page = response.content.decode()
    assert _private(response)
    assert f"<h1>{heading}</h1>" in page
    assert seat in page
    assert ("invitations" if language == "en" else "inbjudningar") in page  # the consent goes too
    assert 'name="csrfmiddlewaretoken"' in page
    assert Registration.objects.get(pk=anna.pk).status == Status.REGISTERED  # a GET changes nothing


@pytest.mark.parametrize(
    ("language", "done"), [("sv", "Dina uppgifter är raderade"), ("en", "Your data has been erased")]
)
def test_erase_cancels_erases_and_the_link_stops_working(client, event_factory, person, language, done):
    event = event_factory(capacity=1)
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("cilla@example.se"))
    path = personal_path("anna@example.se")
    if language == "en":
        english(client)

    response = client.post(path + "radera/", follow=True)

    assert response.redirect_chain == [("/mina-uppgifter/raderade/", 302)]
    assert f"<h1>{done}</h1>" in response.content.decode()
    assert _private(response)
    anna.refresh_from_db()
    assert (anna.status, anna.email, anna.first_name) == (Status.CANCELLED, "", "")
    assert Registration.objects.get(email="cilla@example.se").status == Status.REGISTERED
    assert client.get(path).status_code == 404
    assert client.get(path + "mina-uppgifter/").status_code == 404


def test_erase_page_after_the_event_says_nothing_is_cancelled(client, anna, frozen):
    path = personal_path("anna@example.se")
    frozen("2029-05-19 10:00")

    page = client.get(path + "radera/").content.decode()

    assert "Evenemanget har redan börjat, så ingenting avanmäls" in page
    assert "väntelistan" not in page
    assert "Om du har bett Akademikerförbundet SSR att bjuda in dig till kommande evenemang" in page


def test_data_request_erase_page_after_the_event_says_nothing_is_cancelled(client, anna, frozen):
    frozen("2029-06-10 10:00")  # the data-request link reaches a registration long after the event
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})
    path = data_request_path("anna@example.se")

    page = client.post(path, {"action": "erase", "registration": anna.pk}).content.decode()

    assert "Evenemanget har redan börjat, så ingenting avanmäls" in page
    assert "väntelistan" not in page
    assert "kommande evenemang återkallas det också" in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_erase_page_of_an_expired_link_is_the_kind_410_page(client, anna, frozen, method):
    path = personal_path("anna@example.se")
    frozen("2029-07-01 10:00")  # long after the event

    response = getattr(client, method)(path + "radera/")

    assert response.status_code == 410
    assert "public/link_expired.html" in [template.name for template in response.templates]
    assert Registration.objects.get(pk=anna.pk).email == "anna@example.se"


def test_erase_posted_twice_ends_on_the_done_page_both_times(client, anna):
    path = personal_path("anna@example.se")

    first = client.post(path + "radera/")
    second = client.post(path + "radera/")

    assert (first.status_code, first["Location"]) == (302, "/mina-uppgifter/raderade/")
    assert (second.status_code, second["Location"]) == (302, "/mina-uppgifter/raderade/")
    assert OutboxMessage.objects.filter(kind=MailKind.ERASURE_RECEIPT).count() == 1


# --- The data request by address -----------------------------------------------------------


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.parametrize(
    ("language", "heading", "field"),
    [
        ("sv", "Uppgifterna vi har om dig", "Din e-postadress"),
        ("en", "The data we hold about you", "Your e-mail address"),
    ],
)
def test_data_request_page_asks_for_an_address(client, language, heading, field):
    if language == "en":
        english(client)

    page = client.get("/mina-uppgifter/").content.decode()

    assert f"<h1>{heading}</h1>" in page
    assert f'<label for="id_email">{field}</label>' in page


@pytest.mark.parametrize(
    ("language", "sent"),
    [
        ("sv", "Om vi har uppgifter om adressen har vi skickat en länk till den. Länken gäller i 24 timmar."),
        ("en", "If we hold data about the address, we have sent a link to it. The link works for 24 hours."),
    ],
)
def test_data_request_answers_the_same_for_known_and_unknown_addresses(client, anna, language, sent):
    if language == "en":
        english(client)

    known = client.post("/mina-uppgifter/", {"email": "anna@example.se"})
    unknown = client.post("/mina-uppgifter/", {"email": "nobody@example.se"})

    assert known.status_code == unknown.status_code == 200
    assert sent in known.content.decode()
    assert _without_csrf(known.content.decode()) == _without_csrf(unknown.content.decode())
    assert list(OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).values_list("to", flat=True)) == [
        "anna@example.se"
    ]


def test_data_request_over_the_hourly_cap_answers_the_same(client, anna):
    answers = [client.post("/mina-uppgifter/", {"email": "anna@example.se"}) for _ in range(5)]

    assert len({_without_csrf(a.content.decode()) for a in answers}) == 1
    assert OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).count() == 3


@pytest.mark.parametrize(
    ("language", "value", "message"),
    [
        ("sv", "inte en adress", "Skriv e-postadressen så här: namn@exempel.se"),
        ("sv", "", "Skriv e-postadressen du anmälde dig med."),
        ("sv", "a@b.se\r\nBcc: x@y.se", "Skriv e-postadressen så här: namn@exempel.se"),
        ("en", "not an address", "Write the e-mail address like this: namn@exempel.se"),
        ("en", "x" * 300 + "@example.se", "at most 254 characters"),
    ],
)
def test_data_request_with_bad_input_says_what_to_fix(client, language, value, message):
    if language == "en":
        english(client)

    response = client.post("/mina-uppgifter/", {"email": value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).exists()


def test_data_request_mail_is_in_the_requesters_language(client, anna):
    english(client)
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})

    message = OutboxMessage.objects.get(kind=MailKind.DATA_REQUEST)
    assert message.subject == "Your link to the personal data we hold"
    assert "The link works for 24 hours." in message.body_text


def test_data_request_list_shows_every_registration_newest_first(client, event_factory, person):
    spring = event_factory(title="Vårfrukost")
    autumn = event_factory(
        title="Höstfrukost",
        starts_at=spring.starts_at.replace(month=10),
        ends_at=spring.ends_at.replace(month=10),
    )
    register(event=spring, person=person("anna@example.se"))
    register(event=autumn, person=person("anna@example.se", other_needs="Teleslinga"))
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})

    response = client.get(data_request_path("anna@example.se"))

    page = response.content.decode()
    assert response.status_code == 200
    assert _private(response)
    assert '<h2 id="organisation-1">Akademikerförbundet SSR</h2>' in page
    assert page.index("Höstfrukost") < page.index("Vårfrukost")
    assert "Teleslinga" in page
    assert page.count("Radera den här anmälan") == 2


def test_data_request_list_in_english(client, anna):
    english(client)
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})

    page = client.get(data_request_path("anna@example.se")).content.decode()

    assert "<h1>The data we hold about you</h1>" in page
    assert "Erase this registration" in page and "Open its personal page" in page


def test_data_request_json_holds_every_registration(client, event_factory, person):
    for _ in range(2):
        register(event=event_factory(), person=person("anna@example.se"))
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})
    path = data_request_path("anna@example.se")

    response = client.get(path.rstrip("/") + ".json")

    assert _private(response)
    assert response["Content-Disposition"].startswith('attachment; filename="mina-uppgifter-')
    data = json.loads(response.content)
    assert (data["schema"], len(data["registrations"])) == ("frukost.personal-data", 2)


def test_data_request_list_erases_one_registration_then_the_link_stops_working(client, event_factory, person):
    events = [event_factory(), event_factory()]
    registrations = [register(event=e, person=person("anna@example.se")).registration for e in events]
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})
    path = data_request_path("anna@example.se")

    first = client.post(path, {"action": "confirm-erase", "registration": registrations[0].pk})
    after_first = client.get(first["Location"]).content.decode()
    last = client.post(path, {"action": "confirm-erase", "registration": registrations[1].pk})

    assert first["Location"] == path + "?done=erased"
    assert "Uppgifterna i anmälan är raderade." in after_first
    assert after_first.count("Radera den här anmälan") == 1
    assert last["Location"] == "/mina-uppgifter/raderade/"
    assert Registration.objects.filter(email="anna@example.se").count() == 0
    gone = client.get(path)
    assert gone.status_code == 404
    assert "Länken fungerar inte längre" in gone.content.decode()
    assert client.get(path.rstrip("/") + ".json").status_code == 404


@pytest.mark.parametrize(
    ("language", "button"), [("sv", "Ja, radera mina uppgifter"), ("en", "Yes, erase my data")]
)
def test_data_request_list_asks_before_erasing(client, anna, language, button):
    if language == "en":
        english(client)
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})

    response = client.post(data_request_path("anna@example.se"), {"action": "erase", "registration": anna.pk})

    page = response.content.decode()
    assert response.status_code == 200
    assert _private(response)
    assert button in page and 'value="confirm-erase"' in page
    assert Registration.objects.get(pk=anna.pk).email == "anna@example.se"


def test_data_request_list_refuses_a_registration_not_on_the_link(client, event_factory, person):
    anna = register(event=event_factory(), person=person("anna@example.se")).registration
    bo = register(event=event_factory(), person=person("bo@example.se")).registration
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})

    response = client.post(
        data_request_path("anna@example.se"), {"action": "confirm-erase", "registration": bo.pk}
    )

    assert response.status_code == 400
    assert "Den anmälan finns inte längre på sidan." in response.content.decode()
    assert Registration.objects.get(pk=bo.pk).email == "bo@example.se"
    assert Registration.objects.get(pk=anna.pk).email == "anna@example.se"


def test_data_request_list_opens_a_registrations_personal_page(client, anna):
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})

    response = client.post(data_request_path("anna@example.se"), {"action": "open", "registration": anna.pk})

    assert response.status_code == 302
    assert re.fullmatch(r"http://testserver/r/[\w-]+/", response["Location"])
    assert "Anna Svensson" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("language", "gone"), [("sv", "Länken fungerar inte längre"), ("en", "The link no longer works")]
)
def test_data_request_link_expires_after_a_day(client, anna, frozen, language, gone):
    frozen("2029-04-01 10:00")
    client.post("/mina-uppgifter/", {"email": "anna@example.se"})
    path = data_request_path("anna@example.se")
    if language == "en":
        english(client)

    frozen("2029-04-02 09:59")
    assert client.get(path).status_code == 200
    frozen("2029-04-02 10:00:01")
    response = client.get(path)

    assert response.status_code == 404
    assert f"<h1>{gone}</h1>" in response.content.decode()
    assert client.post(path, {"action": "confirm-erase", "registration": anna.pk}).status_code == 404
    assert Registration.objects.get(pk=anna.pk).email == "anna@example.se"


def test_data_request_list_query_count_does_not_grow_with_registrations(client, event_factory, person):
    def queries_for_list() -> int:
        OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).delete()
        client.post("/mina-uppgifter/", {"email": "anna@example.se"})
        path = data_request_path("anna@example.se")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    register(event=event_factory(), person=person("anna@example.se"))
    one = queries_for_list()
    for _ in range(2):
        register(event=event_factory(), person=person("anna@example.se"))

    # The registrations, and the invitation lists' and do-not-mail list's rows of the address.
    assert queries_for_list() == one == 5


def test_data_request_list_sends_no_referrer_and_takes_a_post_without_a_csrf_token(anna):
    from django.test import Client

    Client().post("/mina-uppgifter/", {"email": "anna@example.se"})
    browser = Client(enforce_csrf_checks=True)
    path = data_request_path("anna@example.se")

    page = browser.get(path).content.decode()
    answer = browser.post(path, {"action": "erase", "registration": str(anna.pk)}, HTTP_ORIGIN="null")
    forged = browser.post(
        path, {"action": "confirm-erase", "registration": str(anna.pk)}, HTTP_SEC_FETCH_SITE="cross-site"
    )

    assert '<meta name="referrer" content="no-referrer">' in page
    assert answer.status_code == 200
    assert forged.status_code == 403
    assert Registration.objects.get(pk=anna.pk).anonymised_at is None


def test_data_request_burst_from_one_client_gets_a_kind_429_and_another_client_is_answered(anna, settings):
    """The form had no per-client limit: one client could make it send mail and cost queries at will."""
    settings.FRUKOST_RATELIMIT_DATA_REQUESTS_PER_IP = 3
    burst = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [burst.post("/mina-uppgifter/", {"email": f"p{n}@example.se"}).status_code for n in range(5)]

    assert statuses == [200, 200, 200, 429, 429]
    refused = burst.post("/mina-uppgifter/", {"email": "anna@example.se"})
    page = refused.content.decode()
    assert (refused.status_code, refused["Retry-After"]) == (429, "300")
    assert "Vänta några minuter och skicka formuläret igen. Inget har skickats än." in page
    assert 'value="anna@example.se"' in page
    assert OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).count() == 0
    other = Client(REMOTE_ADDR="198.51.100.4").post("/mina-uppgifter/", {"email": "anna@example.se"})
    assert other.status_code == 200
    assert OutboxMessage.objects.filter(kind=MailKind.DATA_REQUEST).count() == 1


def test_data_request_and_registering_again_share_one_mail_cap_per_address(anna, settings):
    settings.FRUKOST_MAIL_PER_ADDRESS_PER_HOUR = 2
    event = anna.event
    registering_again = {
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": "anna@example.se",
        "membership": "member",
    }
    Client().post(event.get_absolute_url(), registering_again)
    answers = [Client().post("/mina-uppgifter/", {"email": "anna@example.se"}) for _ in range(2)]

    assert len({_without_csrf(a.content.decode()) for a in answers}) == 1
    assert sorted(
        OutboxMessage.objects.filter(to="anna@example.se")
        .exclude(kind=MailKind.CONFIRMATION)
        .values_list("kind", flat=True)
    ) == [
        MailKind.DATA_REQUEST,
        MailKind.PERSONAL_LINK,
    ]
