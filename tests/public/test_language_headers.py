"""The language middleware (public/middleware.py) answers with Django's own headers for the
language, without Django's work for language-prefixed URLs, which frukost does not have."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.test import Client, RequestFactory
from django.utils import translation

from frukost.public.middleware import SwedishFirstLocaleMiddleware

pytestmark = pytest.mark.django_db


def test_frukost_has_no_language_prefixed_urls():
    # If this changes, the middleware's process_response must be Django's again.
    assert is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (False, False)


@pytest.mark.parametrize("status", [200, 404])
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_headers_are_djangos(status, language):
    def answer(request):
        response = HttpResponse(status=status)
        response["Vary"] = "Cookie"
        return response

    def headers(middleware_class):
        request = RequestFactory().get("/finns-inte/", HTTP_ACCEPT_LANGUAGE="de")
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        with translation.override(None):
            response = middleware_class(answer)(request)
        return response["Vary"], response["Content-Language"], response.status_code

    assert headers(SwedishFirstLocaleMiddleware)[0] == headers(LocaleMiddleware)[0]
    assert headers(SwedishFirstLocaleMiddleware)[1:] == (language, status)


def test_a_page_says_its_language_whatever_the_browser_asks_for(event):
    swedish = Client().get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(event.get_absolute_url())

    assert swedish["Content-Language"] == "sv"
    assert english["Content-Language"] == "en"
    for response in (swedish, english):
        assert "Accept-Language" in response["Vary"]
