"""Statements whose parameters go by name (core.sql) mean what they meant with `%s`, and are
left alone wherever they could mean something else."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frukost.core.sql import by_name, named, names

# SQL text between the placeholders: anything but "%", which by_name refuses to reinterpret.
_TEXT = st.text(st.characters(blacklist_characters="%", blacklist_categories=("Cs",)), max_size=30)


@given(pieces=st.lists(_TEXT, min_size=1, max_size=8))
def test_by_name_writes_each_placeholder_by_name_in_order_and_nothing_else(pieces):
    sql = "%s".join(pieces)
    count = len(pieces) - 1

    written = by_name(sql, count)

    assert written is not None
    # Formatting the names back as "%s" gives the statement it was made from.
    assert written % dict.fromkeys(names(count), "%s") == sql
    assert written % {key: f"<{key}>" for key in names(count)} == "".join(
        piece + (f"<p{index}>" if index < count else "") for index, piece in enumerate(pieces)
    )


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1 WHERE name LIKE 'a%%' AND id = %s", 1),  # an escaped literal %
        ("SELECT %s, %s", 1),  # not the count the caller expects
        ("SELECT %d", 1),
        ("SELECT %%s", 0),
    ],
)
def test_by_name_leaves_a_statement_with_any_other_percent_alone(sql, count):
    assert by_name(sql, count) is None


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(
        st.one_of(
            st.integers(-(2**62), 2**62),
            st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20),
            st.none(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_statement_by_name_answers_as_the_same_with_positional_parameters(values):
    # Values that look like SQL placeholders ("%s", ":p0", "?") are values, not SQL, either way.
    values = [*values, "%s", ":p0", "?", "%(p0)s"]
    sql = "SELECT " + ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        positional = cursor.fetchall()
        cursor.execute(by_name(sql, len(values)), named(names(len(values)), values))
        by_names = cursor.fetchall()

    assert by_names == positional
    assert [str(value) if value is not None else None for value in by_names[0]] == [
        str(value) if value is not None else None for value in values
    ]
