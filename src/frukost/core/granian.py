"""granian's side of `frukost serve --server granian` (issue 10): the WSGI application with a time
limit per request, and the logging configuration that keeps personal links out of its logs.

granian (HTTP in Rust, `--threads` Python threads per worker: `--blocking-threads`) costs a fifth
less per event page than gunicorn's sync worker and a third less per small page
(benchmarks/README.md, "Fourth pass: the WSGI server, counted"). What gunicorn gives and granian
does not is rebuilt here:

- gunicorn's master replaces a sync worker stuck in one request for 30 s (`--timeout`); granian has
  no such limit, so `TimeLimit` ends the worker itself and granian (`--respawn-failed-workers`)
  starts a fresh one;
- a gunicorn worker is one thread; a granian worker's blocking threads are retired when idle, and
  `CloseWithThread` closes the database connections a retired thread leaves;
- gunicorn's access log goes through core/gunicorn.py; granian's goes through the logger
  `granian.access`, configured by `LOGGING` (written to a file for `--log-config`) with the same
  filter that redacts `/r/<token>/` as `/r/…/` (core/logredact.py) on every handler.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import threading
import time

from django.db import connections

from frukost.core.logredact import redact

# gunicorn's default --timeout, what `frukost serve` has always had.
REQUEST_TIMEOUT_SECONDS = 30

# How long past the limit the kernel's alarm ends a worker whose watchdog could not run.
BACKSTOP_SECONDS = 5

# granian's default line with the Referer and the User-Agent, as gunicorn's combined format has them.
ACCESS_LOG_FORMAT = (
    '%(addr)s - - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d '
    '"%(header{referer})s" "%(header{user-agent})s" %(dt_ms).1fms'
)

# granian.log.LOGGING_CONFIG (its own messages and the access log on standard output), each handler
# with the redacting filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "frukost.core.logredact.RedactTokens"}},
    "formatters": {
        "generic": {"()": "logging.Formatter", "fmt": "[%(levelname)s] %(message)s"},
        "access": {"()": "logging.Formatter", "fmt": "%(message)s"},
    },
    "handlers": {
        "console": {
            "formatter": "generic",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["redact"],
        },
        "access": {
            "formatter": "access",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["redact"],
        },
    },
    "loggers": {
        "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

logger = logging.getLogger("frukost.serve")


class TimeLimit:
    """WSGI middleware: a request still in the application after `seconds` ends the worker process.

    For a worker with one or more blocking threads (`frukost serve --threads`), each serving one
    request at a time. A watchdog thread, started by the first request (after the fork, in the
    worker), looks once a second and logs which path it ends; a request itself only notes, by
    thread, when it started. Ending the worker also ends what its other threads were serving, as a
    crash would (each in its own transaction, so nothing is half-written). What the response streams
    after the application returned is not timed.

    A Python thread needs the GIL to wake, and a request stuck in one long C call (a regular
    expression backtracking, say) holds it throughout: gunicorn's master, a process of its own,
    would still end that worker. So the kernel's real-time alarm is armed for `backstop` seconds
    past the limit of the oldest request running (a process has one such alarm: re-armed as
    requests end, off when none runs); SIGALRM has no handler in a worker, so the kernel ends the
    process without needing the GIL (3–4 µs a request). The watchdog, which logs, comes first.

    `scrub`: environment variables taken out of each request's environ too, whatever granian
    copied into it (see `secrets_out_of_the_environment`).
    """

    def __init__(
        self,
        application,
        seconds: float = REQUEST_TIMEOUT_SECONDS,
        *,
        tick: float = 1.0,
        backstop: float = BACKSTOP_SECONDS,
        scrub: tuple[str, ...] = (),
    ):
        self.application = application
        self.seconds = seconds
        self.tick = tick
        self.backstop = backstop
        self.scrub = scrub
        # (monotonic start, path) of each request in the application now, by thread.
        self.running: dict[int, tuple[float, str]] = {}
        self.lock = threading.Lock()
        self.watchdog: threading.Thread | None = None
        self.closed = threading.Event()

    exit = staticmethod(os._exit)  # the whole process at once, whatever the stuck thread is doing
    alarm = staticmethod(signal.setitimer)

    def __call__(self, environ, start_response):
        if self.watchdog is None:
            self._start_watching()
        for name in self.scrub:
            environ.pop(name, None)
        thread = threading.get_ident()
        with self.lock:
            first = not self.running
            self.running[thread] = (time.monotonic(), environ.get("PATH_INFO", ""))
            if first:  # otherwise the alarm is armed for an older request, which ends sooner
                self.alarm(signal.ITIMER_REAL, self.seconds + self.backstop)
        try:
            return self.application(environ, start_response)
        finally:
            with self.lock:
                del self.running[thread]
                self._arm_for_the_oldest()

    def _start_watching(self) -> None:
        with self.lock:
            if self.watchdog is None:
                self.watchdog = threading.Thread(target=self.watch, name="frukost-time-limit", daemon=True)
                self.watchdog.start()

    def _arm_for_the_oldest(self) -> None:
        """The process has one real-time alarm: it is set for the oldest request still running, or
        off when none is (called with the lock held)."""
        if not self.running:
            self.alarm(signal.ITIMER_REAL, 0)
            return
        oldest = min(start for start, _path in self.running.values())
        left = oldest + self.seconds + self.backstop - time.monotonic()
        self.alarm(signal.ITIMER_REAL, max(left, 0.001))

    def close(self) -> None:
        """Stop watching (the watchdog ends within a tick); the application still answers."""
        self.closed.set()
        if self.watchdog is not None:
            self.watchdog.join()

    def watch(self) -> None:
        while not self.closed.wait(self.tick):
            with self.lock:
                running = sorted(self.running.values())
            if running and time.monotonic() - running[0][0] > self.seconds:
                self.stop(running[0][1])
                return

    def stop(self, path: str) -> None:
        logger.error(
            "A request to %s ran for more than %s s: ending this worker (pid %s) for a fresh one.",
            redact(path),
            self.seconds,
            os.getpid(),
        )
        for handler in logging.getLogger().handlers + logger.handlers:
            handler.flush()
        self.exit(1)


class _HeldConnections:
    """The database connections one thread has used; closed when the thread's local data goes.

    Only this object holds it, and it is in no reference cycle, so it goes the moment its thread
    ends. A Django connection wrapper is in cycles of its own (its `ops`, `client` … point back at
    it), so without this a retired thread's connection stayed open until a full collection of the
    garbage collector, which an idle worker, the one whose threads retire, seldom runs."""

    __slots__ = ("wrappers",)

    def __init__(self):
        self.wrappers = ()

    def __del__(self):
        for wrapper in self.wrappers:
            raw = wrapper.connection  # the DB-API connection: closing it needs no Django check
            if raw is not None:
                with contextlib.suppress(Exception):  # already closed, or the server is gone
                    raw.close()


class CloseWithThread:
    """WSGI middleware: the database connections a thread used are closed when granian retires it.

    granian ends a blocking thread that has been idle for `--blocking-threads-idle-timeout` and
    starts a new one when needed; Django keeps a connection per thread (CONN_MAX_AGE), checked for
    age only by its own thread. After each request the thread's object of `_HeldConnections` is
    told which connections the thread has (one look at `connections`, about a microsecond)."""

    def __init__(self, application):
        self.application = application
        self.local = threading.local()

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        finally:
            held = getattr(self.local, "held", None)
            if held is None:
                held = self.local.held = _HeldConnections()
            held.wrappers = tuple(connections.all(initialized_only=True))


def secrets_out_of_the_environment() -> tuple[str, ...]:
    """granian copies the process environment into every request's WSGI environ (request.META),
    as the environment was when the application was loaded (granian/wsgi.py, `basic_env`). The
    settings are read by then; frukost's own variables (the secret key, passwords) and the database
    URL are taken out of this worker's environment, so no request carries them. Returns their names,
    which TimeLimit also takes out of each request's environ: the first removal relies on when
    granian 2.8 copies the environment, the second on nothing."""
    names = tuple(name for name in os.environ if name.startswith("FRUKOST_") or name == "DATABASE_URL")
    for name in names:
        del os.environ[name]
    return names


# glibc's M_ARENA_MAX (malloc.h): at most this many malloc arenas in a worker.
_M_ARENA_MAX = -8
MALLOC_ARENAS = 2


def fewer_malloc_arenas_and_trim() -> bool:
    """Hold a worker's C heap to `MALLOC_ARENAS` arenas and give the boot's freed pages back.

    glibc gives each thread that meets a locked arena one of its own (up to eight per core), and
    a granian worker has five threads that allocate: its two blocking threads, the main thread and
    Rust's runtime threads. Each arena keeps its own free pages, so the same requests took more
    memory than in one thread. Most of Python's allocations are its own (pymalloc, under the GIL)
    and never reach these locks. `malloc_trim(0)` returns the free pages the boot left in the heap
    (the settings, the apps' set-up, the collected garbage). About 1 MiB each (benchmarks/README.md,
    "Eighth pass: memory per web worker"). Returns False where the C library is not glibc."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the process's own symbols: glibc's, without find_library's ldconfig
        mallopt, malloc_trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: musl has no malloc_trim
        return False
    mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    malloc_trim(0)
    return True


def application():
    """The WSGI application, for granian's `--factory` (called in each worker, after the fork)."""
    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
    wsgi = get_wsgi_application()  # reads the settings
    application = TimeLimit(CloseWithThread(wsgi), scrub=secrets_out_of_the_environment())
    # The boot's objects out of the cycle collector's reach, as frukost/wsgi.py does for gunicorn.
    gc.collect()
    gc.freeze()
    fewer_malloc_arenas_and_trim()
    return application
