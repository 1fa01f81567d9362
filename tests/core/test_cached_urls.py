"""core.cached_urls: the public patterns' matches kept per path must resolve every path exactly as
Django's own include() does, and no request may see what another did to its resolver_match."""

from __future__ import annotations

import hypothesis
import pytest
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, include
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import given
from hypothesis import strategies as st

from frukost import urls
from frukost.core import cached_urls

ATTRIBUTES = (
    "func",
    "args",
    "kwargs",
    "url_name",
    "app_names",
    "app_name",
    "namespaces",
    "namespace",
    "route",
    "view_name",
    "_func_path",
    "captured_kwargs",
    "extra_kwargs",
)


def _django_root() -> URLResolver:
    """The root as it was, the public patterns through Django's own include()."""
    module, app_name, namespace = include(urls.public_patterns)
    patterns = [
        URLResolver(RoutePattern("", is_endpoint=False), module, app_name=app_name, namespace=namespace)
        if isinstance(pattern, cached_urls.CachedURLResolver)
        else pattern
        for pattern in urls.urlpatterns
    ]
    assert len(patterns) == len(urls.urlpatterns)
    return URLResolver(RegexPattern(r"^/"), patterns)


def _resolved(resolver: URLResolver, path: str):
    try:
        match = resolver.resolve(path)
    except Resolver404 as error:
        tried = repr(error.args[0].get("tried")).replace("CachedURLResolver", "URLResolver")
        return ("404", tried, error.args[0].get("path"))
    # The kept include differs from Django's only in its class name.
    tried = [
        [repr(pattern).replace("CachedURLResolver", "URLResolver") for pattern in entry]
        for entry in match.tried
    ]
    return tuple(getattr(match, name) for name in ATTRIBUTES) + (tried, repr(match))


segments = st.sampled_from(
    [
        "",
        "r",
        "i",
        "tack",
        "integritet",
        "tillganglighet",
        "mina-uppgifter",
        "raderade",
        "kalender.ics",
        "avanmal",
        "demo",
        "chefsfrukost",
        "admin",
        "konto",
        "backoffice",
        "x.json",
        "å",
        "a b",
        "Ab_9-",
    ]
) | st.text(alphabet="abc-_.é/", max_size=12)


@hypothesis.settings(max_examples=400, deadline=None)
@given(parts=st.lists(segments, max_size=5), slash=st.booleans())
def test_every_path_resolves_as_with_djangos_include(parts, slash):
    path = "/" + "/".join(parts) + ("/" if slash else "")
    django_root = _django_root()
    frukost_root = get_resolver()

    expected = _resolved(django_root, path)
    assert _resolved(frukost_root, path) == expected  # first, perhaps kept now
    assert _resolved(frukost_root, path) == expected  # then from what was kept


def test_each_request_gets_its_own_resolver_match():
    root = get_resolver()
    first = root.resolve("/demo/chefsfrukost/")
    first.kwargs["event"] = "another"
    first.args += ("x",)
    first.tried.clear()
    first.app_names.append("changed")

    second = root.resolve("/demo/chefsfrukost/")

    assert second is not first
    assert second.kwargs == {"organisation": "demo", "event": "chefsfrukost"}
    assert second.args == ()
    assert second.app_names == ["public"]
    assert second.tried


def test_only_paths_that_match_are_kept_and_at_most_max_paths(monkeypatch):
    resolver = cached_urls.cached_include(urls.public_patterns)
    for n in range(cached_urls.MAX_PATHS + 50):
        resolver.resolve(f"org/event-{n}/")
        with pytest.raises(Resolver404):
            resolver.resolve(f"nothing/at/all/{n}/")

    assert resolver._resolved.cache_info().currsize == cached_urls.MAX_PATHS


@pytest.mark.django_db
def test_a_view_that_changes_its_resolver_match_changes_nothing_for_the_next_request(event):
    path = event.get_absolute_url()
    page = Client().get(path)
    page.resolver_match.kwargs["event"] = "something-else"
    page.resolver_match.captured_kwargs.clear()

    again = Client().get(path)

    assert again.status_code == 200
    assert again.resolver_match.kwargs == {"organisation": event.organisation.slug, "event": event.slug}
    assert again.resolver_match.captured_kwargs == again.resolver_match.kwargs


def test_a_personal_links_token_is_never_kept():
    resolver = cached_urls.cached_include(urls.public_patterns)
    token = "Qm9va3MtYXJlLXNlY3JldHMtdG9vLTEy"
    for path in (f"r/{token}/", f"r/{token}/avanmal/", f"i/{token}/", f"mina-uppgifter/{token}/"):
        match = resolver.resolve(path)
        assert match.kwargs["token"] == token
        assert resolver.resolve(path) is not match  # resolved afresh each time

    assert resolver._resolved.cache_info().currsize == 0
    assert resolver.resolve("org/event/").kwargs == {"organisation": "org", "event": "event"}
    assert resolver._resolved.cache_info().currsize == 1


def test_a_long_path_is_resolved_but_not_kept():
    resolver = cached_urls.cached_include(urls.public_patterns)
    long_slug = "a" * cached_urls.MAX_PATH_CHARACTERS

    match = resolver.resolve(f"{long_slug}/{long_slug}/")

    assert match.kwargs == {"organisation": long_slug, "event": long_slug}
    assert resolver._resolved.cache_info().currsize == 0
