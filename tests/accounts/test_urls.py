"""/konto/ routes exactly allauth's pages to allauth's views, the two-factor views imported late
(accounts.urls, issue 10)."""

from __future__ import annotations

import allauth.urls
from django.urls import URLPattern, URLResolver, resolve, reverse

from frukost.accounts import urls as account_urls
from frukost.core.lazy_urls import LazyViewPattern


def _walk(patterns, prefix=""):
    """(route, name, view) of every page under a list of patterns, the views as they resolve."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name, pattern


def _view(pattern: URLPattern):
    return pattern.load() if isinstance(pattern, LazyViewPattern) else pattern.callback


def test_konto_lists_the_same_pages_as_allauth():
    ours = [(route, name) for route, name, _ in _walk(account_urls.urlpatterns)]
    theirs = [(route, name) for route, name, _ in _walk(allauth.urls.urlpatterns)]

    assert ours == theirs
    assert ("2fa/authenticate/", "mfa_authenticate") in ours


def test_each_page_under_konto_is_allauths_own_view():
    theirs = {name: pattern.callback for _, name, pattern in _walk(allauth.urls.urlpatterns)}

    ours = {name: _view(pattern) for _, name, pattern in _walk(account_urls.urlpatterns)}

    assert ours == theirs


def test_two_factor_pages_resolve_to_allauths_views_and_reverse_to_their_paths():
    from allauth.mfa.base import views

    assert reverse("mfa_authenticate") == "/konto/2fa/authenticate/"
    assert reverse("mfa_index") == "/konto/2fa/"
    assert reverse("mfa_activate_totp") == "/konto/2fa/totp/activate/"
    assert resolve("/konto/2fa/authenticate/").func is views.authenticate
    assert resolve("/konto/2fa/reauthenticate/").func is views.reauthenticate
    assert resolve("/konto/2fa/").url_name == "mfa_index"


def test_url_checks_find_nothing_wrong_with_the_lazy_patterns():
    from django.core.checks.urls import check_url_config

    assert check_url_config(None) == []
