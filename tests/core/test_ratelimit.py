"""The fixed-window counters behind the rate limits, on the database and on Redis."""

import datetime as dt
import uuid

import hypothesis
import pytest
from django.core.cache import caches
from django.utils.crypto import salted_hmac
from hypothesis import strategies as st

from frukost.core import ratelimit
from frukost.core.models import RateCounter

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_url() -> str:
    """A Redis database of each suite's own: .ci/run runs the SQLite and the PostgreSQL suites side
    by side, and a test's clean-up (FLUSHDB) must not wipe the other suite's counters mid-test."""
    from django.db import connection

    return REDIS_URL if connection.vendor == "sqlite" else "redis://127.0.0.1:6379/14"


def _redis_is_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False


def _use_redis(settings):
    if not _redis_is_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    # A test before may have left Redis marked unreachable (an outage it simulated): counting then
    # moves from the database to Redis in the middle of this test, when the retry time is up.
    ratelimit._redis_failed_at = None
    settings.FRUKOST_REDIS_URL = _redis_url()
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url(),
            # Each test its own keys: nothing left from a run before counts.
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }


@pytest.fixture
def redis_backend(settings):
    _use_redis(settings)
    yield
    caches["ratelimit"].clear()


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    if request.param == "redis":
        _use_redis(settings)
        yield "redis"
        caches["ratelimit"].clear()
    else:
        settings.FRUKOST_REDIS_URL = ""
        yield "database"


def test_count_adds_each_weight_to_its_own_key(backend):
    assert ratelimit.count([("ip:192.0.2.1", 3), ("email:a@example.se", 1)], window=60) == {
        "ip:192.0.2.1": 3,
        "email:a@example.se": 1,
    }
    assert ratelimit.count([("ip:192.0.2.1", 2), ("email:b@example.se", 1)], window=60) == {
        "ip:192.0.2.1": 5,
        "email:b@example.se": 1,
    }


def test_database_count_starts_again_when_the_window_has_passed(settings, time_machine):
    settings.FRUKOST_REDIS_URL = ""
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 0, tzinfo=dt.UTC), tick=False)
    ratelimit.count([("k", 4)], window=600)
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 9, 59, tzinfo=dt.UTC), tick=False)
    assert ratelimit.count([("k", 1)], window=600) == {"k": 5}

    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 10, tzinfo=dt.UTC), tick=False)

    assert ratelimit.count([("k", 1)], window=600) == {"k": 1}
    assert ratelimit.purge_expired() == 0  # the row started a new window: still live
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 30, tzinfo=dt.UTC), tick=False)
    assert ratelimit.purge_expired() == 1
    assert RateCounter.objects.count() == 0


def test_redis_counter_expires_after_its_window(redis_backend):
    """Redis expires keys by its own clock, which time-machine cannot move."""
    import time

    ratelimit.count([("k", 4)], window=1)
    time.sleep(1.1)

    assert ratelimit.count([("k", 1)], window=1) == {"k": 1}


def test_database_counter_is_one_statement_and_stores_no_address(settings, django_assert_num_queries):
    settings.FRUKOST_REDIS_URL = ""
    with django_assert_num_queries(1):
        ratelimit.count(
            [("ip:192.0.2.1", 1), ("email:anna@example.se", 1), ("email:bo@example.se", 1)], window=60
        )

    names = list(RateCounter.objects.values_list("name", flat=True))
    assert len(names) == 3
    assert not any("example" in name or "192.0.2" in name for name in names)


@pytest.fixture
def unreachable_redis(settings, monkeypatch):
    monkeypatch.setattr(ratelimit, "_redis_failed_at", None, raising=False)
    settings.FRUKOST_REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }


def test_unreachable_redis_falls_back_to_the_database_and_logs_once(unreachable_redis, caplog, monkeypatch):
    """Counting 0 for everything switched every limit off, the mail cap per address with it."""
    assert ratelimit.count([("k", 3)], window=60) == {"k": 3}
    assert ratelimit.count([("k", 1)], window=60) == {"k": 4}
    assert [ratelimit.may_mail("anna@example.se") for _ in range(4)] == [True, True, True, False]

    assert RateCounter.objects.count() == 2
    assert caplog.text.count("Redis at FRUKOST_REDIS_URL cannot be reached") == 1
    # After the pause Redis is asked again; still down: still one line for the whole outage.
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.0)
    assert ratelimit.count([("k", 1)], window=60) == {"k": 5}
    assert caplog.text.count("Redis at FRUKOST_REDIS_URL cannot be reached") == 1


def test_refund_takes_back_what_a_count_added(backend):
    ratelimit.count([("a", 2), ("b", 1)], window=60)

    ratelimit.refund([("a", 2)], window=60)

    assert ratelimit.count([("a", 0), ("b", 0)], window=60) == {"a": 0, "b": 1}


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    key=st.text(max_size=300)
    | st.builds(
        lambda event, address: f"email:{event}:{address}",
        st.integers(min_value=1),
        st.sampled_from(["åsa.öberg@exempel.se", '"o\'brien"@example.se', "<a&b>@example.se", "x" * 250]),
    )
)
def test_a_key_is_hashed_as_salted_hmac_hashes_it(key):
    """Counters already stored keep their names: the prepared HMAC gives salted_hmac's digest."""

    assert ratelimit._hashed(key) == salted_hmac("frukost.core.ratelimit", key).hexdigest()[:40]


def test_a_changed_secret_key_changes_the_hash_at_once(settings):
    before = ratelimit._hashed("ip:192.0.2.7")
    settings.SECRET_KEY = "another secret key, as after a rotation, long enough to be one" * 2

    after = ratelimit._hashed("ip:192.0.2.7")

    assert after != before
    assert after == salted_hmac("frukost.core.ratelimit", "ip:192.0.2.7").hexdigest()[:40]


def test_count_unless_over_counts_then_only_while_every_limit_holds(backend, settings, time_machine):
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 0, tzinfo=dt.UTC), tick=False)

    def form(ip_weight: int) -> dict[str, int]:
        return ratelimit.count_unless_over(
            [("ip:192.0.2.1", ip_weight), ("email:a@example.se", 1)],
            limits={"ip:192.0.2.1": 5, "email:a@example.se": 3},
            then=("event:7", ip_weight),
            window=60,
            windows={"ip:192.0.2.1": 600},
        )

    assert form(2) == {"ip:192.0.2.1": 2, "email:a@example.se": 1, "event:7": 2}
    assert form(3) == {"ip:192.0.2.1": 5, "email:a@example.se": 2, "event:7": 5}  # at the limit: counted
    assert form(1) == {"ip:192.0.2.1": 6, "email:a@example.se": 3}  # the client over: the event not counted
    ratelimit.refund([("ip:192.0.2.1", 6)], window=60)
    assert form(1) == {"ip:192.0.2.1": 1, "email:a@example.se": 4}  # the address over
    if backend == "redis":
        return  # Redis expires keys by its own clock, which time-machine cannot move
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 1, 1, tzinfo=dt.UTC), tick=False)
    # The address's and the event's windows (60 s) have passed, the client's (600 s) not.
    assert form(1) == {"ip:192.0.2.1": 2, "email:a@example.se": 1, "event:7": 1}


def test_count_unless_over_is_one_statement(settings, django_assert_num_queries):
    settings.FRUKOST_REDIS_URL = ""
    with django_assert_num_queries(1):
        totals = ratelimit.count_unless_over(
            [("ip:192.0.2.1", 1), ("email:anna@example.se", 1)],
            limits={"ip:192.0.2.1": 10, "email:anna@example.se": 10},
            then=("event:1", 1),
            window=60,
        )

    assert totals == {"ip:192.0.2.1": 1, "email:anna@example.se": 1, "event:1": 1}
    assert RateCounter.objects.count() == 3


def _two_counts(hits, *, limits, then, window, windows):
    """count_unless_over as two counts, one after the other (its path with Redis)."""
    totals = ratelimit.count(hits, window=window, windows=windows)
    if any(totals[key] > most for key, most in limits.items()):
        return totals
    return {**totals, **ratelimit.count([then], window=window, windows=windows)}


_FORM = st.tuples(
    st.integers(0, 4),  # the client's weight (the people in the form)
    st.lists(st.sampled_from("abc"), min_size=0, max_size=3, unique=True),  # the addresses named
    st.integers(0, 90),  # seconds since the form before
)


@hypothesis.settings(
    max_examples=150, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(
    forms=st.lists(_FORM, min_size=1, max_size=12),
    ip_limit=st.integers(0, 8),
    email_limit=st.integers(0, 4),
)
def test_count_unless_over_in_one_statement_counts_as_two_counts(
    settings, time_machine, forms, ip_limit, email_limit
):
    """The one statement (SQLite and PostgreSQL without Redis) gives the totals, and leaves the
    counters, as counting the hits and then, if every limit holds, `then`: at, below and over
    each limit, in a window and after it (the address's and the event's 60 s, the client's 600 s)."""
    settings.FRUKOST_REDIS_URL = ""
    run = uuid.uuid4().hex  # each example its own counters
    moment = dt.datetime(2029, 5, 1, 12, 0, tzinfo=dt.UTC)

    def call(counting, side: str, weight: int, addresses: list[str]) -> dict[str, int]:
        ip = f"{side}{run}:ip"
        emails = [f"{side}{run}:email:{a}" for a in addresses]
        totals = counting(
            [(ip, weight), *((e, 1) for e in emails)],
            limits={ip: ip_limit, **dict.fromkeys(emails, email_limit)},
            then=(f"{side}{run}:event", weight),
            window=60,
            windows={ip: 600},
        )
        return {key.removeprefix(f"{side}{run}:"): total for key, total in totals.items()}

    for weight, addresses, seconds in forms:
        moment += dt.timedelta(seconds=seconds)
        time_machine.move_to(moment, tick=False)
        assert call(ratelimit.count_unless_over, "one", weight, addresses) == call(
            _two_counts, "two", weight, addresses
        )
