"""Fixed-window counters, for throttling what strangers can make the site do.

    totals = count([("ip:192.0.2.7", 2), ("email:anna@example.se", 1)], window=600)

adds each weight to its key's counter and returns the new totals; a counter starts again from
zero once its window (counted from its first hit) has passed. Counters must be shared by every
gunicorn worker and counted atomically, or two requests at once both read "9 of 10" and both
pass. Two backends do that:

- the database (default): one `INSERT … ON CONFLICT (name) DO UPDATE … RETURNING` for all the
  keys of a call, in table core_ratecounter, on SQLite (≥ 3.35) and PostgreSQL alike: one
  statement, no read-modify-write;
- Redis, when FRUKOST_REDIS_URL is set (Django's RedisCache as the "ratelimit" cache): SET NX
  with the window as expiry, then INCRBY, both atomic in Redis.

django-ratelimit was considered and not taken: it needs a cache with an atomic increment shared
by all processes, and Django's database cache (the only shared one without Redis here) has none,
so on a default installation it would undercount under load.

Keys are stored as a keyed hash (HMAC with SECRET_KEY), never as the address or IP itself.

If Redis is configured but cannot be reached, the counters fall back to the database (logged
once when Redis goes away, once when it is back; retried every REDIS_RETRY_SECONDS meanwhile), so
the limits, and the cap on mails per address, hold all the same.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import time
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import caches
from django.db import connection, models
from django.utils import timezone

from frukost.core.models import RateCounter

CACHE_ALIAS = "ratelimit"
logger = logging.getLogger("frukost.ratelimit")
# While Redis is unreachable, ask it again only this often (each try can wait for a timeout).
REDIS_RETRY_SECONDS = 30.0
_redis_failed_at: float | None = None  # per process: when Redis last failed, None while it works


_SALT = "frukost.core.ratelimit"


def _hashed(key: str) -> str:
    """salted_hmac(_SALT, key).hexdigest()[:40], with the keyed HMAC prepared once per secret:
    deriving the key and keying the HMAC was two thirds of each hash's cost, and a form hashes
    four to six keys (issue 10). tests/core/test_ratelimit.py compares it with salted_hmac."""
    mac = _keyed_hmac(settings.SECRET_KEY).copy()
    mac.update(key.encode())
    return mac.hexdigest()[:40]


@functools.lru_cache(maxsize=4)
def _keyed_hmac(secret: str) -> hmac.HMAC:
    # As salted_hmac derives its key (SHA-1 its default: the stored counters' names stay); only
    # ever copied, never updated itself.
    key = hashlib.sha1(f"{_SALT}{secret}".encode()).digest()  # noqa: S324 - salted_hmac's derivation, inside an HMAC
    return hmac.new(key, digestmod=hashlib.sha1)


def count(
    hits: Sequence[tuple[str, int]], *, window: int, windows: dict[str, int] | None = None
) -> dict[str, int]:
    """Add each (key, weight) to its counter for the current window; return {key: new total}.

    One database statement for all the keys (or, with Redis, a few round trips per key).
    Keys must be distinct within one call. `windows` gives some keys a window of their own.
    """
    if not hits:
        return {}
    windows = windows or {}
    names = [_hashed(key) for key, _weight in hits]  # each key hashed once (an HMAC each)
    hashed = dict(zip(names, (key for key, _weight in hits), strict=True))
    weights = [
        (name, max(int(weight), 0), windows.get(key, window))
        for name, (key, weight) in zip(names, hits, strict=True)
    ]
    totals = _with_redis(_count_in_redis, weights, window=window)
    if totals is None:
        totals = _count_in_database(weights, window=window)
    return {hashed[name]: total for name, total in totals.items()}


def count_unless_over(
    hits: Sequence[tuple[str, int]],
    *,
    limits: dict[str, int],
    then: tuple[str, int],
    window: int,
    windows: dict[str, int] | None = None,
) -> dict[str, int]:
    """count(hits); then, only if none of those totals is over its limit in `limits`, count the
    hit `then` too. Returns the totals, with `then`'s key only when it was counted.

    For a counter others must not be able to use up by being refused (the event's allowance,
    public/throttle.py). Without Redis one statement, a round trip (PostgreSQL) and a commit
    less per form (issue 10); with Redis the two counts, one after the other.

    `then`'s key must not be among the hits: the two counts would count it twice, while one
    statement cannot update a row twice (PostgreSQL refuses it), so the call is refused here.
    """
    if any(key == then[0] for key, _weight in hits):
        # The key's kind only: a key may end in an e-mail address, and this message may be logged.
        kind = then[0].split(":", 1)[0]
        raise ValueError(f"count_unless_over: a {kind!r} key is both a hit and `then`")
    if settings.FRUKOST_REDIS_URL or connection.vendor not in ("postgresql", "sqlite"):
        totals = count(hits, window=window, windows=windows)
        if any(totals[key] > most for key, most in limits.items()):
            return totals
        return {**totals, **count([then], window=window, windows=windows)}
    keys = [key for key, _weight in hits]
    windows = windows or {}
    names = [_hashed(key) for key in [*keys, then[0]]]
    hashed = dict(zip(names, [*keys, then[0]], strict=True))
    weights = [
        (name, max(int(weight), 0), windows.get(key, window))
        for name, (key, weight) in zip(names, [*hits, then], strict=True)
    ]
    limited = [(names[keys.index(key)], most) for key, most in limits.items()]
    if connection.vendor == "sqlite":
        totals = _count_unless_over_in_sqlite(weights[:-1], weights[-1], limited)
    else:
        totals = _count_unless_over_in_postgresql(weights[:-1], weights[-1], limited)
    return {hashed[name]: total for name, total in totals.items()}


def refund(hits: Sequence[tuple[str, int]], *, window: int) -> None:
    """Take back what count() added, for a request another limit refused after all: a post that
    was not accepted must not use up, say, the allowance of an address it named."""
    weights = [(_hashed(key), max(int(weight), 0)) for key, weight in hits if weight > 0]
    if not weights:
        return
    if _with_redis(_refund_in_redis, weights, window=window) is None:
        _refund_in_database(weights)


def may_mail(address: str) -> bool:
    """Count one more mail that a stranger's request would send to this address (a personal link
    for someone registering again, a data-request link); False once the hourly cap
    FRUKOST_MAIL_PER_ADDRESS_PER_HOUR is reached. Callers answer the same either way."""
    key = f"mail:{address}"
    return count([(key, 1)], window=3600)[key] <= settings.FRUKOST_MAIL_PER_ADDRESS_PER_HOUR


def _with_redis(operation, weights, *, window):
    """Run operation on Redis if configured and reachable; None means "use the database"."""
    global _redis_failed_at  # noqa: PLW0603 - one flag per process, read on every request
    if not settings.FRUKOST_REDIS_URL:
        return None
    failed_at = _redis_failed_at  # read once: another thread may set it back to None meanwhile
    if failed_at is not None and time.monotonic() - failed_at < REDIS_RETRY_SECONDS:
        return None
    try:
        result = operation(weights, window=window)
    except Exception:  # noqa: BLE001 - redis-py raises its own errors; any means "unreachable"
        if _redis_failed_at is None:  # once per outage, not once per request
            logger.exception(
                "Redis at FRUKOST_REDIS_URL cannot be reached: rate limits counted in the database"
            )
        _redis_failed_at = time.monotonic()
        return None
    if _redis_failed_at is not None:
        logger.warning("Redis at FRUKOST_REDIS_URL is reachable again: rate limits counted there")
        _redis_failed_at = None
    return result if result is not None else {}


def _count_in_database(weights: list[tuple[str, int, int]], *, window: int) -> dict[str, int]:
    now = timezone.now().timestamp()
    t = connection.ops.quote_name(RateCounter._meta.db_table)
    rows, params = _upsert_rows(weights, now)
    sql = f"INSERT INTO {t} (name, hits, expires_at) VALUES {rows} {_on_conflict(t)}"  # noqa: S608 - no user input in the SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, now])
        return dict(cursor.fetchall())


def _upsert_rows(weights: list[tuple[str, int, int]], now: float) -> tuple[str, list]:
    """The VALUES rows of a counters' upsert and their parameters: name, hits, expiry."""
    params: list = []
    # In the names' order, whatever order the caller gave: two forms naming the same two
    # addresses the other way round (Anna bringing Bo, Bo bringing Anna) would otherwise each
    # lock one counter row and wait for the other's, and PostgreSQL would end one of them with a
    # deadlock (a 500). The event's counter comes after these rows in the CTE, so no cycle forms.
    for name, weight, key_window in sorted(weights):
        params += [name, weight, now + key_window]
    return ", ".join(["(%s, %s, %s)"] * len(weights)), params


def _on_conflict(t: str) -> str:
    # In an upsert's SET every expression sees the row as it was, so both CASEs test the old
    # window: an expired counter restarts at this hit's weight with a new window.
    return (
        f"ON CONFLICT (name) DO UPDATE SET "
        f"hits = CASE WHEN {t}.expires_at <= %s THEN excluded.hits ELSE {t}.hits + excluded.hits END, "
        f"expires_at = CASE WHEN {t}.expires_at <= %s THEN excluded.expires_at ELSE {t}.expires_at END "
        f"RETURNING name, hits"
    )


def _count_unless_over_in_postgresql(
    weights: list[tuple[str, int, int]], then: tuple[str, int, int], limits: list[tuple[str, int]]
) -> dict[str, int]:
    """count_unless_over's one statement: the first upsert in a data-modifying CTE, and the
    second an INSERT … SELECT that yields its row only when no total the first returned is over
    its limit (it reads the first's RETURNING, so it runs after it)."""
    now = timezone.now().timestamp()
    t = connection.ops.quote_name(RateCounter._meta.db_table)
    rows, params = _upsert_rows(weights, now)
    bounds = ", ".join(["(%s::varchar, %s::integer)"] * len(limits)) or "(NULL::varchar, NULL::integer)"
    sql = (
        f"WITH counted AS (INSERT INTO {t} (name, hits, expires_at) VALUES {rows} {_on_conflict(t)}), "  # noqa: S608 - no user input in the SQL
        f"limits (name, most) AS (VALUES {bounds}), "
        f"then_counted AS (INSERT INTO {t} (name, hits, expires_at) "
        f"SELECT %s::varchar, %s::integer, %s::double precision WHERE NOT EXISTS "
        f"(SELECT 1 FROM counted JOIN limits ON limits.name = counted.name WHERE counted.hits > limits.most) "
        f"{_on_conflict(t)}) "
        f"SELECT name, hits FROM counted UNION ALL SELECT name, hits FROM then_counted"
    )
    name, weight, key_window = then
    params += [now, now]
    for limited, most in limits:
        params += [limited, most]
    params += [name, weight, now + key_window, now, now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _count_unless_over_in_sqlite(
    weights: list[tuple[str, int, int]], then: tuple[str, int, int], limits: list[tuple[str, int]]
) -> dict[str, int]:
    """count_unless_over's one statement on SQLite, which has no data-modifying CTEs: one upsert
    of the hits' rows and, only when none of the totals they make is over its limit, `then`'s.

    The condition reads the counters as they were before the statement (SQLite runs an INSERT's
    SELECT to completion before it writes, when the SELECT reads the table written) and adds each
    limited key's weight itself, as the upsert does: the old hits while the window lasts, else
    none. Nothing can change the counters in between: a statement is a write transaction of its
    own, and SQLite lets one write at a time."""
    now = timezone.now().timestamp()
    t = connection.ops.quote_name(RateCounter._meta.db_table)
    rows, params = _upsert_rows(weights, now)
    weight_of = {name: weight for name, weight, _key_window in weights}
    bounds = ", ".join(["(%s, %s, %s)"] * len(limits))
    over = (
        f"SELECT 1 FROM (VALUES {bounds}) AS limits LEFT JOIN {t} ON {t}.name = limits.column1 "  # noqa: S608 - no user input in the SQL
        f"WHERE CASE WHEN {t}.expires_at > %s THEN {t}.hits ELSE 0 END + limits.column2 > limits.column3"
    )
    condition = f"NOT EXISTS ({over})" if limits else "1"
    # The outer SELECT's WHERE: SQLite's upsert after INSERT … SELECT needs one to parse.
    sql = (
        f"INSERT INTO {t} (name, hits, expires_at) SELECT * FROM "  # noqa: S608 - no user input in the SQL
        f"(SELECT * FROM (VALUES {rows}) UNION ALL SELECT %s, %s, %s WHERE {condition}) "
        f"WHERE true {_on_conflict(t)}"
    )
    name, weight, key_window = then
    params += [name, weight, now + key_window]
    for limited, most in limits:
        params += [limited, weight_of[limited], most]
    if limits:
        params.append(now)
    params += [now, now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _count_in_redis(weights: list[tuple[str, int, int]], *, window: int) -> dict[str, int]:
    cache = caches[CACHE_ALIAS]
    totals = {}
    for name, weight, key_window in sorted(weights):
        key = f"rate:{name}"
        if cache.add(key, weight, timeout=key_window):
            totals[name] = weight
            continue
        try:
            totals[name] = cache.incr(key, weight)
        except ValueError:
            # It expired between the two calls: this hit opens a new window.
            cache.add(key, weight, timeout=key_window)
            totals[name] = weight
    return totals


def _refund_in_database(weights: list[tuple[str, int]]) -> None:
    now = timezone.now().timestamp()
    for name, weight in weights:
        RateCounter.objects.filter(name=name, expires_at__gt=now).update(hits=models.F("hits") - weight)


def _refund_in_redis(weights: list[tuple[str, int]], *, window: int) -> dict:
    cache = caches[CACHE_ALIAS]
    for name, weight in weights:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to take back
            cache.decr(f"rate:{name}", weight)
    return {}


def purge_expired() -> int:
    """Delete database counters whose window has passed (the worker calls this)."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=timezone.now().timestamp()).delete()
    return deleted
