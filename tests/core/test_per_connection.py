"""What is built once per database connection lives and dies with that connection (issue 10).

granian retires an idle blocking thread and starts a new one; Django gives each thread its own
connection wrapper. Statements built for a connection are kept on the wrapper itself
(core.sql.per_connection), so a thread that is gone leaves no wrapper, and no open database
connection, behind in a module-level cache (an lru_cache keyed on the wrapper kept them).
"""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from django.db import connections, transaction

from frukost.core.sql import per_connection
from frukost.events import queries as event_queries
from frukost.mail import worker
from frukost.registrations import links
from frukost.registrations import queries as registration_queries
from frukost.registrations.services import seats


def _build_everything(db) -> list:
    """Every statement the web and the mail worker keep per connection (compiled, never run)."""
    built = [
        event_queries._prepared(db),
        registration_queries._registration_for_mail_sql(db, True),
        registration_queries._registration_for_mail_sql(db, False),
        registration_queries._earlier_registrations_sql(db),
        registration_queries._has_colleagues_sql(db),
        seats._prepared_rules(db),
        links._store_link_sql(db, False),
        links._store_link_sql(db, True),
        worker._statements(db),
    ]
    if db.vendor == "sqlite":
        built.append(seats._prepared_rules_and_counts(db))
    return built


def _in_a_thread_that_ends() -> tuple[weakref.ref, list]:
    seen = {}

    def work():
        db = connections["default"]
        try:
            # A transaction, as where they are used: PostgreSQL's compiler refuses FOR UPDATE without one.
            with transaction.atomic():
                first = _build_everything(db)
                again = _build_everything(db)
            seen["same"] = all(a is b for a, b in zip(first, again, strict=True))
            seen["db"] = weakref.ref(db)
        finally:
            db.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_finished_threads_connection_is_not_kept_alive_by_what_was_built_for_it():
    seen = _in_a_thread_that_ends()
    assert seen["same"], "each statement is built once per connection"
    gc.collect()
    assert seen["db"]() is None, "a finished thread's connection wrapper is still referenced"


@pytest.mark.django_db(transaction=True)
def test_two_threads_never_share_what_was_built_for_a_connection():
    built = {}

    def work(name):
        db = connections["default"]
        try:
            with transaction.atomic():
                built[name] = (db, seats._prepared_rules(db))
        finally:
            db.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (db_a, rules_a), (db_b, rules_b) = built["a"], built["b"]
    assert db_a is not db_b
    assert rules_a is not rules_b
    assert rules_a[0].connection is db_a and rules_b[0].connection is db_b


def test_per_connection_keys_on_the_arguments_after_the_connection():
    calls = []

    @per_connection
    def build(db, flag):
        calls.append(flag)
        return object()

    db = connections["default"]
    assert build(db, True) is build(db, True)
    assert build(db, False) is not build(db, True)
    assert calls == [True, False]
