"""The public event page for a visitor with nothing of their own on it, from a per-process cache;
and the thank-you page after a registration, the same way (see thank_you_key).

An event page GET without a query string shows nothing that belongs to the visitor except the
CSRF token (the language switch and the registration form) and the CSP nonce of the page's one
inline style. Everything else is a function of the event's row, its organisation's row, the
language, the registration state (which already reflects the seats taken and the clock) and the
path. So the page is rendered once per such combination with a placeholder for the token; each
request fills in its own token and nonce, which costs a string replacement instead of a render.

The key holds every stored field of the event and of the organisation (not only `updated_at`:
a status change saved with `update_fields` does not touch it), so an edit, publishing, closing,
reopening, cancelling, a capacity change or an organisation's new colour or name is a new key at
once, in every process, with no invalidation to forget. The seats left only show through the
state ("Only a few seats left", "Fully booked"), and the state is computed from a fresh count on
every request, so a registration or a cancellation that changes it changes the key.

The accessibility statement (public/operations.py) is the same for everyone in a language: its
key is its context (the operator's settings and the statement's dates), the language and the
path (static_key). The cache is per process, so a deploy (new code, new settings) starts empty.

The thank-you page holds nothing of the person either (no name, no address: "the address you
gave"): only what its signed cookie says, whether they are on the waiting list, whether they must
confirm and how many colleagues they named, and those are part of its key.

The pages live in a plain dict of this process, keyed on the facts themselves: a lookup hashes
and compares them, where a cache key would cost their repr and a digest, and the locmem cache a
lock, its key checks and a pickle copy per hit (issue 10). Each page is kept TIMEOUT seconds; past
MAX_PAGES the oldest goes first. A test that changes a setting starts with none (setting_changed).

Never cached: a bound form (a POST, with its errors), the back office's preview, the invitation
page (/i/<token>/, a prefilled form: its own view), personal pages, a request with a query string
(so nobody can fill the cache with variants).
"""

from __future__ import annotations

import operator
import secrets
import threading
import time
from collections.abc import Callable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils import translation

from frukost.events.models import Event, Organisation

TIMEOUT = 600
MAX_PAGES = 300  # as many as the locmem cache it replaces kept (its default MAX_ENTRIES)
# Random per process, so no text an organiser writes can ever be mistaken for it.
TOKEN_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
NONCE_PLACEHOLDER = f"nonce-{secrets.token_hex(16)}"
_TOKEN_BYTES = TOKEN_PLACEHOLDER.encode()
_NONCE_BYTES = NONCE_PLACEHOLDER.encode()

_EVENT_FIELDS = tuple(field.attname for field in Event._meta.concrete_fields)
_ORGANISATION_FIELDS = tuple(field.attname for field in Organisation._meta.concrete_fields)


def _facts(names: tuple[str, ...]) -> Callable[[object], tuple]:
    """The values of these attributes as a tuple, read in one call (operator.attrgetter: a third
    of what a generator of getattr calls cost the key of every page served, issue 10)."""
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


_event_facts = _facts(_EVENT_FIELDS)
_organisation_facts = _facts(_ORGANISATION_FIELDS)
# key (the facts themselves) -> (page, whether it carries the nonce, expiry on time.monotonic()).
_pages: dict[tuple, tuple[bytes, bool, float]] = {}
# Taken to store a page: two threads of one worker may miss at once, and the eviction's iteration
# must not see the other's insert ("dictionary changed size during iteration").
_storing = threading.Lock()


def cacheable(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING")


def page_key(request: HttpRequest, event: Event, state: str) -> tuple:
    return _key("event-page", request, event, str(state))


def thank_you_key(
    request: HttpRequest, event: Event, *, waitlisted: bool, confirm: bool, colleagues: int
) -> tuple:
    """The thank-you page's key: what its signed cookie says (the same for everyone it says it
    to) besides the event, its organisation, the language and the path."""
    return _key("thank-you", request, event, bool(waitlisted), bool(confirm), int(colleagues))


def _key(kind: str, request: HttpRequest, event: Event, *variant) -> tuple:
    organisation = event.organisation
    return (
        kind,
        _event_facts(event),
        _organisation_facts(organisation),
        translation.get_language(),
        variant,
        request.path,
    )


def static_key(name: str, request: HttpRequest, context: dict) -> tuple:
    """The key of a page that is a function of its context (settings, fixed dates), the language
    and the path alone, such as the accessibility statement."""
    return ("static", name, tuple(sorted(context.items())), translation.get_language(), request.path)


def clear() -> None:
    _pages.clear()


@receiver(setting_changed)
def _forget_pages(**kwargs) -> None:
    # A page may show a setting (an address, the site's name): a test that changes one starts afresh.
    clear()


def serve(request: HttpRequest, key: tuple, render: Callable[[dict], TemplateResponse]) -> HttpResponse:
    """The cached page with this visitor's CSRF token and CSP nonce; rendered on a miss.

    `render(extra_context)` builds the page's TemplateResponse (status 200) with the extra
    context merged in. A page that uses no nonce (no inline style) is kept without one, and its
    responses never make one, so their policy stays without a nonce as when rendered.
    """
    cached = _pages.get(key)
    if cached is None or cached[2] < time.monotonic():
        response = render({"csrf_token": TOKEN_PLACEHOLDER})
        response.render()
        page = response.content
        uses_nonce = bool(request.csp_nonce)  # django-csp's lazy nonce: true once the page used it
        if uses_nonce:
            page = page.replace(str(request.csp_nonce).encode(), _NONCE_BYTES)
        # A page rendered again goes to the back, as the newest; the front is the oldest render.
        cached = (page, uses_nonce, time.monotonic() + TIMEOUT)
        with _storing:
            _pages.pop(key, None)
            while len(_pages) >= MAX_PAGES:
                _pages.pop(next(iter(_pages)), None)
            _pages[key] = cached
    # Bytes, as the response sends them: the token and the nonce go in without an encoding.
    page, uses_nonce, _expires = cached
    # get_token marks the CSRF cookie for sending, exactly as {% csrf_token %} would.
    body = page.replace(_TOKEN_BYTES, get_token(request).encode())
    if uses_nonce:
        body = body.replace(_NONCE_BYTES, str(request.csp_nonce).encode())
    return HttpResponse(body)
