"""frukost's SQLite backend (`frukost.core.sqlite3`): Django's, with the placeholder rewrite kept
per SQL text (issue 10, fifth pass). Nothing but the cost may change."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangosCursor
from hypothesis import given
from hypothesis import strategies as st

from frukost.core.sqlite3 import base
from frukost.registrations.models import Registration

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")

# SQL-ish texts built from the pieces that matter to the rewrite: placeholders, escaped percent
# signs, a percent sign before a placeholder, and ordinary text with å/ä/ö and quotes.
pieces = st.sampled_from(["%s", "%%", "%%s", "%", "s", "%%%s", "?", " ", "'å'", '"ä"', "LIKE 'ö%%'", "%d"])
texts = st.lists(st.one_of(pieces, st.text(max_size=5)), max_size=30).map("".join)


@given(texts)
def test_the_rewrite_is_djangos_for_any_text(query):
    django = DjangosCursor.convert_query(None, query)

    assert base.qmark(query) == django
    assert base.qmark(query) == django  # and again, from the cache


def test_the_project_runs_on_the_backend_and_its_queries_answer_as_before(db):
    assert isinstance(connections["default"], base.DatabaseWrapper)
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        cursor.execute("SELECT %s || '%%', %s", ["100", 7])
        assert cursor.fetchone() == ("100%", 7)
        cursor.execute("SELECT %(a)s || %(b)s", {"a": "å", "b": "ö"})  # named: Django's way
        assert cursor.fetchone() == ("åö",)
    assert Registration.objects.filter(email__contains="%").count() == 0  # LIKE's escaped %


def test_repeated_statements_are_rewritten_once(db):
    base.cached_rewrite.cache_clear()
    for _ in range(3):
        list(Registration.objects.filter(email="anna@example.se"))

    info = base.cached_rewrite.cache_info()
    assert info.misses == 1
    assert info.hits == 2
    assert info.maxsize == base.CACHE_SIZE


def test_long_texts_such_as_large_in_lists_are_rewritten_but_not_kept(db):
    base.cached_rewrite.cache_clear()
    # An IN list of each length is a text of its own; past the limit none of them is kept.
    for length in range(2000, 2010):
        assert list(Registration.objects.filter(pk__in=range(length))) == []

    assert base.cached_rewrite.cache_info().currsize == 0
    long_text = "SELECT " + ", ".join(["%s"] * 3000) + " WHERE x LIKE '%%'"
    assert base.qmark(long_text) == DjangosCursor.convert_query(None, long_text)
