"""CPU per request type, in one process, without HTTP: where load.py's figures come from.

    .venv/bin/python benchmarks/request_costs.py            # scratch SQLite database
    createdb -h 127.0.0.1 -U postgres frukost_costs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frukost_costs .venv/bin/python benchmarks/request_costs.py
    dropdb -h 127.0.0.1 -U postgres frukost_costs

Drives the WSGI application with Django's test Client (settings as in production, DEBUG
off) and reports the median CPU time per request of each step of a registration, plus a few
pieces measured alone: rendering the registration form's widgets, the registration service
with and without queuing its receipt, and opening a database connection (what CONN_MAX_AGE=0
costs every request). Figures are CPU (time.process_time), so waiting on locks or disk is
left out.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from unittest import mock

ROUNDS = 300


def cpu_ms(function, rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(rounds):
        start = time.process_time_ns()
        function()
        samples.append((time.process_time_ns() - start) / 1e6)
    return statistics.median(samples)


def main() -> None:
    scratch = tempfile.TemporaryDirectory(prefix="frukost-costs-")  # removed when the process ends
    os.environ["FRUKOST_DATA_DIR"] = scratch.name
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["FRUKOST_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["FRUKOST_SECURE_COOKIES"] = "0"
    # The rate limits stay on, as in production: each POST comes from a new client address (as
    # load.py's visitors do) and the per-event ceiling is raised above the rounds measured.
    os.environ.setdefault("FRUKOST_RATELIMIT_PER_EVENT", "1000000")
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from frukost.events.models import Event
    from frukost.registrations import notifications
    from frukost.registrations.forms import RegistrationForm
    from frukost.registrations.services import Answers, PersonData, register

    # No setup_test_environment(): its template instrumentation would be measured too.
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
    event.capacity = 10**6
    event.save(update_fields=["capacity"])
    path = event.get_absolute_url()
    counter = iter(range(10**9))

    def new_email() -> str:
        return f"costs-{secrets.token_hex(3)}-{next(counter)}@example.se"

    def new_address() -> str:
        n = next(counter)
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    token = client.cookies["csrftoken"].value

    def post():
        response = client.post(
            path,
            {
                "csrfmiddlewaretoken": token,
                "first_name": "Anna",
                "last_name": "Svensson",
                "email": new_email(),
                "workplace": "Sundsvalls kommun",
                "job_title": "Enhetschef",
                "membership": "member",
            },
            REMOTE_ADDR=new_address(),
        )
        assert response.status_code == 302, response.status_code

    post()
    visitor = Client()  # one Client: each new Client would load the middleware again

    def fresh_get(url):
        visitor.cookies.clear()  # a new visitor every time, as in load.py
        return visitor.get(url)

    results = {
        "GET event page (whole request)": cpu_ms(lambda: fresh_get(path)),
        "POST form (whole request)": cpu_ms(post),
        "GET thank-you page (whole request)": cpu_ms(lambda: client.get(path + "tack/")),
        "GET /tillganglighet/ (no form, no query)": cpu_ms(lambda: fresh_get("/tillganglighet/")),
    }
    assert page.status_code == 200

    from frukost.core.markdown import render_markdown
    from frukost.events.enums import RegistrationState
    from frukost.public import views

    with mock.patch.object(views.queries, "registration_state", return_value=RegistrationState.CLOSED):
        results["  GET event page when closed (no form rendered)"] = cpu_ms(lambda: fresh_get(path))
    results["  Markdown to HTML of the event's lead and body"] = cpu_ms(
        lambda: (render_markdown(event.lead), render_markdown(event.body))
    )
    form = RegistrationForm(event=event)
    results["  rendering the form's fields alone"] = cpu_ms(
        lambda: [str(field) for field in RegistrationForm(event=event)]
    )
    results["  RegistrationForm(event) without rendering"] = cpu_ms(lambda: RegistrationForm(event=event))
    del form

    def person() -> PersonData:
        return PersonData(
            first_name="Anna",
            last_name="Svensson",
            email=new_email(),
            answers=Answers(membership="member"),
            language="sv",
        )

    results["  register() service"] = cpu_ms(lambda: register(event=event, person=person()))
    # The receipt is composed by the mail worker; in the request it is one outbox row.
    with mock.patch.object(notifications, "enqueue"):
        results["  register() service, receipt not queued"] = cpu_ms(
            lambda: register(event=event, person=person())
        )

    def reconnect():
        connection.close()
        connection.ensure_connection()

    results["  opening a database connection (CONN_MAX_AGE=0)"] = cpu_ms(reconnect)
    with transaction.atomic():
        pass

    width = max(map(len, results))
    connection.close()
    print(f"database: {connection.vendor}; Python {sys.version.split()[0]}; median CPU ms of {ROUNDS} rounds")
    for name, value in results.items():
        print(f"{name:<{width}}  {value:6.2f}")


if __name__ == "__main__":
    main()
