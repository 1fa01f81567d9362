"""Private pages (a secret link, the thank-you page) carry their no-cache headers written
directly (public.views._private_headers): they must be what Django's add_never_cache_headers
followed by frukost's own Cache-Control left, whatever the view had set before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from frukost.public.views import _private_headers


def _reference(response: HttpResponse) -> HttpResponse:
    # main's _private_headers, before the headers were written directly.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@pytest.mark.parametrize(
    "preset",
    [
        {},
        {"Expires": "Thu, 01 Jan 2037 00:00:00 GMT"},
        {"Cache-Control": "public, max-age=600"},
        {"Cache-Control": "max-age=5, no-cache=Set-Cookie", "Expires": "0"},
        {"Referrer-Policy": "same-origin", "Content-Type": "text/calendar"},
    ],
)
def test_the_headers_are_add_never_cache_headers_and_frukosts_own(preset, time_machine):
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, 0, 0, 500_000, tzinfo=dt.UTC), tick=False)

    ours, theirs = HttpResponse(headers=preset), HttpResponse(headers=preset)

    assert list(_private_headers(ours).items()) == list(_reference(theirs).items())
    assert ours["Cache-Control"] == "no-store, private"
    assert "Expires" in ours
