"""URL patterns whose views are imported only when a request needs them (issue 10).

Once imported, a module stays in a web worker's memory for its whole life. Most requests are
public pages, yet `include("x.urls")` imports x's URL configuration, and with it every view it
routes to, when the root URL configuration is read. Django resolves a path by trying the prefixes
in turn, so an unmatched prefix costs nothing; but the first reverse() builds one table of every
name, asking every included URL configuration for its patterns. Two ways round that:

- `lazy_include(route, module, namespace=...)` for a namespaced URL configuration: its names are
  only ever reversed as "namespace:name", which reads its patterns (and imports it) then, so the
  table of the other names is built without it.
- `lazy_path(route, "dotted.path.to.view", name=...)` for a name that is not namespaced (allauth's
  "account_login", "mfa_authenticate"): the route and the name are known at once, the view is
  imported when a request first matches the route.
"""

from __future__ import annotations

import threading

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

_loading = threading.Lock()


class LazyViewPattern(URLPattern):
    """A URL pattern whose view is named by its dotted path and imported when a request first
    matches the route. Until then reverse() and the URL checks see the route and the name only.
    """

    def __init__(self, pattern, view: str, name: str):
        self.view_path = view

        def stand_in(request, *args, **kwargs):
            # Only reached by a caller that took the callback without resolving a path.
            return self.load()(request, *args, **kwargs)

        self._stand_in = stand_in
        super().__init__(pattern, stand_in, name=name)

    def load(self):
        """The view itself, imported once; it replaces the stand-in for every later match."""
        with _loading:
            if self.callback is self._stand_in:
                self.callback = import_string(self.view_path)
        return self.callback

    @cached_property
    def lookup_str(self) -> str:
        return self.view_path

    def resolve(self, path):
        # The middleware sees the real view (its csrf_exempt and other marks), never the stand-in.
        if self.callback is self._stand_in and self.pattern.match(path):
            self.load()
        return super().resolve(path)


def lazy_path(route: str, view: str, *, name: str) -> LazyViewPattern:
    """`path(route, view, name=name)` with the view given by its dotted path, imported on first use."""
    return LazyViewPattern(RoutePattern(route, name=name, is_endpoint=True), view, name)


class LazyURLResolver(URLResolver):
    """A namespaced include whose URL configuration is imported when a path under its prefix is
    resolved or one of its names is reversed, not when the root's table of names is built."""

    def _populate(self):
        # The root populates every include while building its table; a namespace's names are
        # looked up through its patterns (django.urls.base.reverse), which import it, so there is
        # nothing to add before then.
        if "urlconf_module" in self.__dict__:
            super()._populate()

    @property
    def reverse_dict(self):
        self.urlconf_module  # noqa: B018 - imports the module, so that _populate fills the table
        return super().reverse_dict

    @property
    def namespace_dict(self):
        self.urlconf_module  # noqa: B018
        return super().namespace_dict

    @property
    def app_dict(self):
        self.urlconf_module  # noqa: B018
        return super().app_dict


def lazy_include(route: str, module: str, *, namespace: str) -> LazyURLResolver:
    """`path(route, include(module))` for a URL configuration with `app_name = namespace`,
    imported only when a request or a reverse() needs it."""
    return LazyURLResolver(
        RoutePattern(route, is_endpoint=False), module, app_name=namespace, namespace=namespace
    )
