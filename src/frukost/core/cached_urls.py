"""An include whose matches are kept per path (issue 10): `cached_include(patterns)`.

Django resolves a path by trying the patterns in turn, and every request does it again: the event
page's pattern comes after 27 others in the public patterns (the personal links, the invitations,
the data requests, each a regular expression, each failure noted in `tried`), about half of what
resolving the event page or the thank-you page cost. What a path resolves to depends only on the
path and the patterns, which never change in a running process, so CachedURLResolver keeps the
ResolverMatch its patterns gave for each path that matched (the most recent MAX_PATHS; a path
that matches nothing is resolved, and refused, every time, so it cannot fill the cache). Never
kept: a path over MAX_PATH_CHARACTERS (a few thousand of them would hold megabytes), and a match
with a personal link's token in it (a secret, which frukost keeps nowhere in clear).

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

# A longer path is resolved every time: a visitor could otherwise fill the cache with paths of
# several kilobytes that match a pattern (`<slug>/<slug>/`) and keep megabytes in each worker.
MAX_PATH_CHARACTERS = 256

# A match that captured one of these is resolved every time and never kept: a personal link's
# token is a secret, kept nowhere in clear (the database holds its hash, the logs mask it).
SECRET_ARGUMENTS = frozenset({"token"})


class _NotKept(Exception):  # noqa: N818 - not an error: carries a match past the lru_cache
    def __init__(self, match: ResolverMatch):
        self.match = match


class CachedURLResolver(URLResolver):
    """URLResolver with resolve() kept per path for the paths that match."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # lru_cache keeps no exception: Resolver404 is raised afresh for every request, and so is
        # _NotKept, which hands back a match with a secret in it.
        self._resolved = functools.lru_cache(maxsize=MAX_PATHS)(self._resolve_to_keep)

    def _resolve_to_keep(self, path: str) -> ResolverMatch:
        match = URLResolver.resolve(self, path)
        if not SECRET_ARGUMENTS.isdisjoint({**match.captured_kwargs, **match.kwargs}):
            raise _NotKept(match)
        return match

    def resolve(self, path):
        path = str(path)
        if len(path) > MAX_PATH_CHARACTERS:
            return URLResolver.resolve(self, path)
        try:
            kept = self._resolved(path)
        except _NotKept as not_kept:
            return not_kept.match  # resolved for this request alone
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
