import datetime as dt

import pytest

from frukost.core import formats
from frukost.core.markdown import render_markdown
from tests.conftest import stockholm


@pytest.mark.parametrize(
    ("moment", "language", "expected"),
    [
        (stockholm(2029, 5, 16, 8), "sv", "onsdag 16 maj 2029"),
        (stockholm(2029, 5, 16, 8), "en", "Wednesday 16 May 2029"),
        (dt.date(2029, 5, 1), "sv", "tisdag 1 maj 2029"),
        # 23:30 UTC on 31 December is already New Year's Day in Stockholm.
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), "sv", "fredag 1 januari 2027"),
    ],
)
def test_long_date_is_written_the_swedish_way(moment, language, expected):
    assert formats.long_date(moment, language) == expected


@pytest.mark.parametrize(
    ("start", "end", "language", "expected"),
    [
        (stockholm(2029, 5, 16, 8), stockholm(2029, 5, 16, 9, 30), "sv", "kl. 08.00–09.30"),
        (stockholm(2029, 5, 16, 8), stockholm(2029, 5, 16, 9, 30), "en", "08:00–09:30"),
        # Either side of the autumn clock change, local wall-clock time is shown.
        (stockholm(2029, 10, 27, 8), stockholm(2029, 10, 27, 9), "sv", "kl. 08.00–09.00"),
        (stockholm(2029, 10, 29, 8), stockholm(2029, 10, 29, 9), "sv", "kl. 08.00–09.00"),
    ],
)
def test_time_range_uses_local_time_and_an_en_dash(start, end, language, expected):
    assert formats.time_range(start, end, language) == expected


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klicka](javascript:alert(1))",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<iframe src=https://example.com></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_lets_no_script_through(dangerous):
    html = render_markdown(dangerous)

    for fragment in ("<script", "onerror", "javascript:", "<iframe", "data:text", "style="):
        assert fragment not in html


def test_markdown_keeps_paragraphs_lists_and_links():
    html = render_markdown("Första stycket.\n\nAndra med [länk](https://example.se).\n\n- en\n- två")

    assert html == (
        "<p>Första stycket.</p>\n"
        '<p>Andra med <a href="https://example.se" rel="noopener noreferrer nofollow">länk</a>.</p>\n'
        "<ul>\n<li>en</li>\n<li>två</li>\n</ul>"
    )


def test_percent_has_a_non_breaking_space_in_swedish():
    assert (formats.percent(0.07, "sv"), formats.percent(0.104, "en")) == ("7\u00a0%", "10%")
