"""CPU per public event page GET, in one process (issue 10): new visitors, returning visitors, English.

    .venv/bin/python benchmarks/event_page_costs.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frukost_costs \
        .venv/bin/python benchmarks/event_page_costs.py

Drives the WSGI application (settings as in production, DEBUG off, the whole middleware stack)
with Django's test Client and reports the median CPU time (time.process_time) per request over
several rounds. A "new visitor" has no cookies (so gets a fresh CSRF cookie), a "returning
visitor" sends the CSRF cookie it was given.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time

ROUNDS = 500


def cpu_ms(function, rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(rounds):
        start = time.process_time_ns()
        function()
        samples.append((time.process_time_ns() - start) / 1e6)
    return statistics.median(samples)


def main() -> None:
    scratch = tempfile.TemporaryDirectory(prefix="frukost-page-costs-")
    os.environ["FRUKOST_DATA_DIR"] = scratch.name
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["FRUKOST_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["FRUKOST_SECURE_COOKIES"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from frukost.events.models import Event

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
    event.capacity = 10**6
    event.save(update_fields=["capacity"])
    path = event.get_absolute_url()

    new = Client()

    def fresh_get(url, language=None):
        new.cookies.clear()
        if language:
            new.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = new.get(url)
        assert response.status_code == 200, response.status_code
        return response

    returning = Client()
    returning.get(path)

    results = {
        "GET event page, new visitor": cpu_ms(lambda: fresh_get(path)),
        "GET event page, new visitor, English": cpu_ms(lambda: fresh_get(path, "en")),
        "GET event page, returning visitor (CSRF cookie sent)": cpu_ms(lambda: returning.get(path)),
        "HEAD event page, new visitor": cpu_ms(lambda: (new.cookies.clear(), new.head(path))),
        "GET /tillganglighet/, new visitor (the floor)": cpu_ms(lambda: fresh_get("/tillganglighet/")),
    }
    width = max(map(len, results))
    connection.close()
    print(f"database: {connection.vendor}; Python {sys.version.split()[0]}; median CPU ms of {ROUNDS} rounds")
    for name, value in results.items():
        print(f"{name:<{width}}  {value:6.2f}")


if __name__ == "__main__":
    main()
