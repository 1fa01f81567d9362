"""An include whose matches are kept per path (issue 10): `cached_include(patterns)`.

Django resolves a path by trying the patterns in turn, and every request does it again: the event
page's pattern comes after 27 others in the public patterns (the personal links, the invitations,
the data requests, each a regular expression, each failure noted in `tried`), about half of what
resolving the event page or the thank-you page cost. What a path resolves to depends only on the
path and the patterns, which never change in a running process, so CachedURLResolver keeps the
ResolverMatch its patterns gave for each path that matched (the most recent MAX_PATHS; a path
that matches nothing is resolved, and refused, every time, so it cannot fill the cache).

The kept match is never a request's own: each resolve() hands out a copy with its own dicts and
lists (the root passes `captured_kwargs` on as it is), and the root builds the request's
ResolverMatch from that, so a view that changes `request.resolver_match` changes nothing the next
request sees (tests/core/test_cached_urls.py: that, and every attribute compared with Django's own
resolving).
"""

from __future__ import annotations

import functools

from django.urls import ResolverMatch, URLResolver, include
from django.urls.resolvers import RoutePattern

MAX_PATHS = 2048


class CachedURLResolver(URLResolver):
    """URLResolver with resolve() kept per path for the paths that match."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # lru_cache keeps no exception: Resolver404 is raised afresh for every request.
        self._resolved = functools.lru_cache(maxsize=MAX_PATHS)(functools.partial(URLResolver.resolve, self))

    def resolve(self, path):
        kept = self._resolved(str(path))
        # The root passes some of these on as they are (captured_kwargs): each request its own.
        match = object.__new__(ResolverMatch)  # ResolverMatch refuses copy.copy (no pickling)
        match.__dict__.update(kept.__dict__)
        match.kwargs, match.captured_kwargs = {**kept.kwargs}, {**kept.captured_kwargs}
        match.extra_kwargs = {**kept.extra_kwargs}
        match.app_names, match.namespaces, match.tried = [*kept.app_names], [*kept.namespaces], [*kept.tried]
        return match


def cached_include(arg, route: str = "") -> CachedURLResolver:
    """`path(route, include(arg))`, its matches kept per path. Only for patterns that resolve a
    path the same way every time: no translated routes, no converter that reads the database."""
    urlconf_module, app_name, namespace = include(arg)
    return CachedURLResolver(
        RoutePattern(route, is_endpoint=False), urlconf_module, app_name=app_name, namespace=namespace
    )
