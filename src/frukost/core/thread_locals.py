"""Django's per-thread state kept in `threading.local` objects (issue 10).

Django keeps what belongs to one thread (its database connections, cache clients, active
language and time zone, script prefix and URLconf) in asgiref's `Local`, which is also correct in
async code: there a value follows the task (a context variable) rather than the thread. Every read
pays for that in Python, in a sync thread too: `Local.__getattr__` asks asyncio whether a loop is
running (an exception raised and caught each time) or takes a lock and copies a context
variable's storage, and a missing name raises and formats an AttributeError. `connections[alias]`
cost about 10 K instructions and `get_language()` about 15 K (benchmarks/README.md, "Eighth pass:
the registration's web requests"), and a registration's POST alone reads them about 22 times.

frukost is a WSGI application only: no async views or middleware, no ASGI entry point, and its
servers (gunicorn's sync workers, granian's blocking threads, the mail worker's threads) call it
in plain threads, where asgiref's `Local` behaves exactly as `threading.local` (its own
docstring: "behaving exactly like threading.local if the thread is sync"). `install()`
(CoreConfig.ready) therefore puts a `threading.local` in place of each of those `Local` objects,
carrying over what the current thread already holds, so the reads are C attribute look-ups. It
leaves alone any object that is not an asgiref `Local` (a Django that changed its storage).

If frukost ever serves async code (an ASGI entry point, an async view), this module must go:
two tasks on one event loop would then share one thread's language, time zone and connections.
So `install()` also makes Django's ASGI handler refuse to start, and
`tests/core/test_thread_locals.py` fails if an ASGI application is configured, or a view, error
handler, middleware or signal receiver is a coroutine, or frukost's code calls asgiref's
`async_to_sync`/`sync_to_async`: the two cannot meet unnoticed.

Django itself puts a new asgiref `Local` back in two places: its test signals when a test
overrides CACHES, LANGUAGES or LOCALE_PATHS, and runserver's autoreload when a translation file
changes. That is asgiref's own behaviour again, correct and only slower.
"""

from __future__ import annotations

import threading

from asgiref.local import Local
from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def _targets():
    """(owner, attribute, names) for every asgiref Local Django reads per request."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connections
    from django.urls import base as urls_base
    from django.utils import timezone
    from django.utils.translation import trans_real

    return (
        (connections, "_connections", tuple(settings.DATABASES)),
        (caches, "_connections", tuple(settings.CACHES)),
        (trans_real, "_active", ("value",)),
        (timezone, "_active", ("value",)),
        (urls_base, "_prefixes", ("value",)),
        (urls_base, "_urlconfs", ("value",)),
    )


def plain(local: Local, names: tuple[str, ...]) -> threading.local:
    """A threading.local holding what `local` holds for the current thread under `names`."""
    replacement = threading.local()
    for name in names:
        value = getattr(local, name, _MISSING)
        if value is not _MISSING:
            setattr(replacement, name, value)
    return replacement


def _refuse_asgi(handler, *args, **kwargs):
    raise ImproperlyConfigured(
        "frukost runs as a WSGI application only: its per-thread state is kept per thread "
        "(frukost/core/thread_locals.py). Serve frukost.wsgi:application."
    )


def install() -> int:
    """Put threading.local objects in place of Django's asgiref Locals (see the module's
    docstring), and make Django's ASGI handler refuse to start. Returns how many were replaced;
    calling it again replaces none."""
    from django.core.handlers.asgi import ASGIHandler

    ASGIHandler.__init__ = _refuse_asgi
    replaced = 0
    for owner, attribute, names in _targets():
        current = getattr(owner, attribute)
        if isinstance(current, Local):
            setattr(owner, attribute, plain(current, names))
            replaced += 1
    return replaced
