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
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from frukost.core.models import RateCounter

CACHE_ALIAS = "ratelimit"
logger = logging.getLogger("frukost.ratelimit")


def _hashed(key: str) -> str:
    return salted_hmac("frukost.core.ratelimit", key).hexdigest()[:40]


def count(hits: Sequence[tuple[str, int]], *, window: int) -> dict[str, int]:
    """Add each (key, weight) to its counter for the current window; return {key: new total}.

    One database statement for all the keys (or, with Redis, a few round trips per key).
    Keys must be distinct within one call.
    """
    if not hits:
        return {}
    hashed = {_hashed(key): key for key, _weight in hits}
    weights = [(_hashed(key), max(int(weight), 0)) for key, weight in hits]
    if settings.FRUKOST_REDIS_URL:
        try:
            totals = _count_in_redis(weights, window=window)
        except Exception:  # noqa: BLE001 - redis-py raises its own errors; any means "unreachable"
            # Registration goes on without limits rather than failing for everyone; the operator
            # sees why in the log.
            logger.exception("rate limits skipped: Redis at FRUKOST_REDIS_URL cannot be reached")
            totals = {name: 0 for name, _weight in weights}
    else:
        totals = _count_in_database(weights, window=window)
    return {hashed[name]: total for name, total in totals.items()}


def _count_in_database(weights: list[tuple[str, int]], *, window: int) -> dict[str, int]:
    now = timezone.now().timestamp()
    t = connection.ops.quote_name(RateCounter._meta.db_table)
    rows = ", ".join(["(%s, %s, %s)"] * len(weights))
    params: list = []
    for name, weight in weights:
        params += [name, weight, now + window]
    # In an upsert's SET every expression sees the row as it was, so both CASEs test the old
    # window: an expired counter restarts at this hit's weight with a new window.
    sql = (
        f"INSERT INTO {t} (name, hits, expires_at) VALUES {rows} "  # noqa: S608 - no user input in the SQL
        f"ON CONFLICT (name) DO UPDATE SET "
        f"hits = CASE WHEN {t}.expires_at <= %s THEN excluded.hits ELSE {t}.hits + excluded.hits END, "
        f"expires_at = CASE WHEN {t}.expires_at <= %s THEN excluded.expires_at ELSE {t}.expires_at END "
        f"RETURNING name, hits"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, now])
        return dict(cursor.fetchall())


def _count_in_redis(weights: list[tuple[str, int]], *, window: int) -> dict[str, int]:
    cache = caches[CACHE_ALIAS]
    totals = {}
    for name, weight in weights:
        key = f"rate:{name}"
        if cache.add(key, weight, timeout=window):
            totals[name] = weight
            continue
        try:
            totals[name] = cache.incr(key, weight)
        except ValueError:
            # It expired between the two calls: this hit opens a new window.
            cache.add(key, weight, timeout=window)
            totals[name] = weight
    return totals


def purge_expired() -> int:
    """Delete database counters whose window has passed (the worker calls this)."""
    deleted, _ = RateCounter.objects.filter(expires_at__lte=timezone.now().timestamp()).delete()
    return deleted
