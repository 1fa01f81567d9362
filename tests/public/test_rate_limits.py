"""The public form's rate limits: per client, per address, per event; and the mail cap per address."""

import logging

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import PersonalLink, Registration
from frukost.registrations.services import register
from tests.conftest import outbox_for
from tests.core.test_ratelimit import _use_redis

pytestmark = pytest.mark.django_db


def form(email, first_name="Anna", last_name="Svensson", **extra):
    return {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "membership": "member",
        **extra,
    }


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    if request.param == "redis":
        _use_redis(settings)
    else:
        settings.FRUKOST_REDIS_URL = ""
    return request.param


def test_burst_from_one_client_is_refused_while_another_client_registers(
    backend, event_factory, settings, caplog
):
    """26 invented people from one address in a few seconds must not take 60 seats."""
    settings.FRUKOST_BEHIND_PROXY = True
    event = event_factory(capacity=60)
    url = event.get_absolute_url()
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.9")

    with caplog.at_level(logging.WARNING, logger="frukost.ratelimit"):
        statuses = [attacker.post(url, form(f"bot{n}@example.se")).status_code for n in range(26)]

    assert statuses == [302] * settings.FRUKOST_RATELIMIT_PER_IP + [429] * (
        26 - settings.FRUKOST_RATELIMIT_PER_IP
    )
    assert Registration.objects.filter(event=event).count() == settings.FRUKOST_RATELIMIT_PER_IP
    refused = attacker.post(url, form("bot99@example.se"))
    page = refused.content.decode()
    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert "Vänta några minuter och skicka formuläret igen. Inget har sparats än." in page
    assert 'value="bot99@example.se"' in page  # what they typed is kept for the retry
    assert not Registration.objects.filter(email="bot99@example.se").exists()
    assert "too many from one client" in caplog.text
    assert "example.se" not in caplog.text and "203.0.113.9" not in caplog.text

    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.4").post(url, form("anna@example.se"))

    assert other.status_code == 302
    assert Registration.objects.filter(email="anna@example.se").exists()


def test_an_office_behind_one_address_registers_ten_people(event, settings):
    office = Client(REMOTE_ADDR="192.0.2.10")

    statuses = [
        office.post(event.get_absolute_url(), form(f"kollega{n}@kommun.se", last_name=f"Ek {chr(65 + n)}"))
        for n in range(10)
    ]

    assert [response.status_code for response in statuses] == [302] * 10


def test_colleagues_count_as_people_against_the_client_limit(event_factory, settings):
    settings.FRUKOST_RATELIMIT_PER_IP = 5
    event = event_factory(max_colleagues=2)
    client = Client(REMOTE_ADDR="192.0.2.10")

    def with_two(n):
        return form(
            f"a{n}@example.se",
            colleague1_first_name="Bo",
            colleague1_last_name="Ek",
            colleague1_email=f"b{n}@example.se",
            colleague2_first_name="Cia",
            colleague2_last_name="Ek",
            colleague2_email=f"c{n}@example.se",
        )

    assert client.post(event.get_absolute_url(), with_two(1)).status_code == 302
    assert client.post(event.get_absolute_url(), with_two(2)).status_code == 429  # 6 people > 5
    assert Registration.objects.filter(event=event).count() == 3


def test_without_the_proxy_setting_forwarded_for_is_ignored(event, settings):
    """A client cannot pick a new address per request with a header the proxy did not write."""
    settings.FRUKOST_BEHIND_PROXY = False
    settings.FRUKOST_RATELIMIT_PER_IP = 2
    client = Client(REMOTE_ADDR="192.0.2.10")

    statuses = [
        client.post(event.get_absolute_url(), form(f"p{n}@example.se"), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        for n in range(3)
    ]

    assert [response.status_code for response in statuses] == [302, 302, 429]


def test_behind_the_proxy_only_the_right_most_forwarded_hop_counts(event, settings):
    """The proxy appends the address it saw; what the client wrote to the left of it is ignored."""
    settings.FRUKOST_BEHIND_PROXY = True
    settings.FRUKOST_RATELIMIT_PER_IP = 2
    client = Client(REMOTE_ADDR="127.0.0.1")

    statuses = [
        client.post(
            event.get_absolute_url(),
            form(f"p{n}@example.se"),
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9",
        )
        for n in range(3)
    ]

    assert [response.status_code for response in statuses] == [302, 302, 429]


def test_one_ipv6_prefix_is_one_client(event, settings):
    settings.FRUKOST_RATELIMIT_PER_IP = 2

    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n}").post(event.get_absolute_url(), form(f"p{n}@example.se"))
        for n in range(1, 4)
    ]

    assert [response.status_code for response in statuses] == [302, 302, 429]


def test_one_address_sent_again_and_again_is_refused(event, settings):
    settings.FRUKOST_RATELIMIT_PER_EMAIL = 3
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(event.get_absolute_url(), form("anna@example.se")).status_code
        for n in range(1, 6)
    ]

    assert statuses == [302, 302, 302, 429, 429]


def test_the_event_limit_holds_across_clients_and_a_refused_client_does_not_use_it_up(event, settings):
    settings.FRUKOST_RATELIMIT_PER_EVENT = 3
    settings.FRUKOST_RATELIMIT_PER_IP = 1
    greedy = Client(REMOTE_ADDR="192.0.2.1")
    assert greedy.post(event.get_absolute_url(), form("g1@example.se")).status_code == 302
    for n in range(5):  # refused by its own limit: the event's counter does not move
        assert greedy.post(event.get_absolute_url(), form(f"g{n + 2}@example.se")).status_code == 429

    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{n}")
        .post(event.get_absolute_url(), form(f"p{n}@example.se"))
        .status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_forms_with_errors_do_not_count(event, settings):
    """A family correcting typos is not an attack (and such a form saves nothing)."""
    settings.FRUKOST_RATELIMIT_PER_IP = 1
    client = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(5):
        assert client.post(event.get_absolute_url(), form("inte-en-adress")).status_code == 400

    assert client.post(event.get_absolute_url(), form("anna@example.se")).status_code == 302


def test_registering_one_address_again_mails_it_at_most_n_times_an_hour(
    event, person, settings, time_machine
):
    """30 repeats sent 30 mails with 30 new links; now at most the cap, and the page looks the same."""
    settings.FRUKOST_MAIL_PER_ADDRESS_PER_HOUR = 3
    settings.FRUKOST_RATELIMIT_PER_EMAIL = 1000
    time_machine.move_to("2029-04-01 10:00+02:00", tick=False)
    register(event=event, person=person("anna@example.se"))
    responses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(event.get_absolute_url(), form("anna@example.se"))
        for n in range(1, 11)
    ]

    assert {(r.status_code, r["Location"]) for r in responses} == {(302, event.get_absolute_url() + "tack/")}
    kinds = [m.kind for m in outbox_for("anna@example.se")]
    assert kinds == [MailKind.CONFIRMATION] + [MailKind.PERSONAL_LINK] * 3
    assert PersonalLink.objects.count() == 4  # one per e-mail sent, not one per request

    time_machine.move_to("2029-04-01 11:00+02:00", tick=False)
    register(event=event, person=person("anna@example.se"))

    assert OutboxMessage.objects.filter(to="anna@example.se", kind=MailKind.PERSONAL_LINK).count() == 4


def test_the_rate_limit_check_costs_one_statement(event, settings):
    settings.FRUKOST_REDIS_URL = ""
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(
            event.get_absolute_url(),
            form(
                "anna@example.se",
                colleague1_first_name="Bo",
                colleague1_last_name="Ek",
                colleague1_email="bo@example.se",
            ),
        )

    assert response.status_code == 302
    # The event's counter is counted in the same statement (PostgreSQL: a data-modifying CTE;
    # SQLite: a conditional row of the same upsert).
    assert len([q for q in queries.captured_queries if "core_ratecounter" in q["sql"]]) == 1


def test_one_client_cannot_fill_one_event_slowly(event_factory, settings, time_machine):
    """20 people per 10 minutes from one address filled 60 seats in half an hour."""
    settings.FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY = 30
    event = event_factory(capacity=60)
    other_event = event_factory(slug="hostfrukost", capacity=60)
    client = Client(REMOTE_ADDR="192.0.2.10")
    time_machine.move_to("2029-04-01 08:00+02:00", tick=False)
    statuses = []
    for round_ in range(3):  # a new ten-minute window each round
        time_machine.move_to(f"2029-04-01 08:{round_ * 11:02d}+02:00", tick=False)
        statuses += [
            client.post(event.get_absolute_url(), form(f"p{round_}-{n}@example.se")).status_code
            for n in range(15)
        ]

    assert statuses == [302] * 30 + [429] * 15
    assert Registration.objects.filter(event=event).count() == 30
    assert client.post(other_event.get_absolute_url(), form("q@example.se")).status_code == 302
    time_machine.move_to("2029-04-02 08:40+02:00", tick=False)
    assert client.post(event.get_absolute_url(), form("next-day@example.se")).status_code == 302


def test_forms_naming_an_address_as_colleague_do_not_lock_it_out_of_other_events_or_when_refused(
    event_factory, settings
):
    """Five forms naming victim@ as a colleague locked victim@ out of registering anywhere."""
    settings.FRUKOST_RATELIMIT_PER_EMAIL = 5
    settings.FRUKOST_RATELIMIT_PER_IP = 1
    event = event_factory(max_colleagues=1)
    elsewhere = event_factory(slug="hostfrukost", max_colleagues=1)
    attacker = Client(REMOTE_ADDR="203.0.113.9")

    def naming_victim(n):
        return form(
            f"a{n}@example.se",
            colleague1_first_name="Vera",
            colleague1_last_name="Ek",
            colleague1_email="victim@example.se",
        )

    # One client: the first is over its own limit (2 people), the rest too: none counts for victim@.
    assert {attacker.post(event.get_absolute_url(), naming_victim(n)).status_code for n in range(6)} == {429}
    settings.FRUKOST_RATELIMIT_PER_IP = 100
    for n in range(5):  # accepted ones count, for this event only
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(elsewhere.get_absolute_url(), naming_victim(n + 10))

    victim = Client(REMOTE_ADDR="192.0.2.77")

    assert victim.post(event.get_absolute_url(), form("victim@example.se")).status_code == 302


def test_a_post_refused_by_the_event_limit_does_not_use_up_the_address_or_the_clients_day(event, settings):
    settings.FRUKOST_RATELIMIT_PER_EVENT = 1
    settings.FRUKOST_RATELIMIT_PER_EMAIL = 2
    Client(REMOTE_ADDR="192.0.2.1").post(event.get_absolute_url(), form("first@example.se"))
    anna = Client(REMOTE_ADDR="192.0.2.2")
    assert [anna.post(event.get_absolute_url(), form("anna@example.se")).status_code for _ in range(4)] == [
        429
    ] * 4

    settings.FRUKOST_RATELIMIT_PER_EVENT = 100

    assert anna.post(event.get_absolute_url(), form("anna@example.se")).status_code == 302
