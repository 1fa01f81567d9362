"""Where a registration's POST sends the browser, and the path of the cookie the thank-you page
reads: the paths are kept per process (views._thank_you_paths), so they must follow the event's
slug and the script prefix the site is served under."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import set_script_prefix

from frukost.public.views import DONE_COOKIE
from tests.public.test_invitation_pages import form_data

pytestmark = pytest.mark.django_db


def sent(path: str, email: str):
    response = Client().post(path, form_data(email=email))
    assert response.status_code == 302
    return response["Location"], response.cookies[DONE_COOKIE]["path"]


def test_the_redirect_and_its_cookie_follow_the_event_slug_and_the_script_prefix(event):
    organisation, slug = event.organisation.slug, event.slug
    first = sent(f"/{organisation}/{slug}/", "anna@example.se")
    event.slug = "ny-adress"
    event.save()
    renamed = sent(f"/{organisation}/ny-adress/", "bo@example.se")
    set_script_prefix("/frukost/")  # as the WSGI handler sets it from SCRIPT_NAME (the test client does not)
    try:
        prefixed = sent(f"/{organisation}/ny-adress/", "cilla@example.se")
    finally:
        set_script_prefix("/")

    assert first == (f"/{organisation}/{slug}/tack/", f"/{organisation}/{slug}/")
    assert renamed == (f"/{organisation}/ny-adress/tack/", f"/{organisation}/ny-adress/")
    assert prefixed == (f"/frukost/{organisation}/ny-adress/tack/", f"/frukost/{organisation}/ny-adress/")
