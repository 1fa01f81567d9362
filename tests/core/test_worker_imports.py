"""What a web worker loads to serve the public pages (issue 10: under 80 MB per worker).

A fresh process imports the WSGI application as gunicorn does, in production settings, and
serves the public flow: the event list, the event page, a registration, its thank-you page and
the personal page of the registration. Each library below stays in every worker's memory for its
whole life once imported, so none may be loaded by pages that do not use it: ReportLab and Pillow
(the door PDFs), XlsxWriter (XLSX exports), openpyxl (an uploaded invitation list), fido2 and
cryptography (allauth's two-factor views, imported by the /konto/2fa/ pages), icalendar (the
calendar files: the .ics downloads and the mail worker) and the back office's URL configuration
with all its views, and the public pages only a mail's link opens now and then (feedback,
invitations, an offered seat, one's own data, "still coming?") with the services only they use.
The same process then asks for the pages that do use them, which must still
work and load them then. On PostgreSQL (DATABASE_URL) the process uses a scratch database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from urllib.parse import urlsplit, urlunsplit

from tests.core.processes import last_json_line, production_environment, run_python

HEAVY = [
    "reportlab",
    "PIL",
    "xlsxwriter",
    "openpyxl",
    "hypothesis",
    "fido2",
    "cryptography",
    "icalendar",
    "allauth.mfa.base.views",
    "frukost.backoffice.urls",
    # The public pages a mail's link opens now and then (feedback, invitations, a seat offered,
    # one's own data, "still coming?"), with the services only they use: imported at their first
    # request (frukost/urls.py, lazy_path).
    "frukost.public.feedback_views",
    "frukost.public.invitation_views",
    "frukost.public.offer_views",
    "frukost.public.selfservice_views",
    "frukost.public.still_coming_views",
    "frukost.followup.services",
    "frukost.privacy.selfservice",
]

SERVE_PUBLIC_PAGES = """
import io, json, sys
from urllib.parse import urlsplit
from frukost.wsgi import application  # what gunicorn imports
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
call_command("seed_demo", stdout=io.StringIO())
from django.test import Client
from frukost.events.models import Event
from frukost.registrations.links import issue_link
from frukost.registrations.models import Registration

def loaded():
    return [name for name in HEAVY if name in sys.modules]

path = Event.objects.get(slug="chefsfrukost-leda-med-tillit").get_absolute_url()
client = Client()
statuses = [client.get("/").status_code, client.get(path).status_code]
form = {"first_name": "Anna", "last_name": "Svensson", "email": "anna@example.se",
        "workplace": "Sundsvalls kommun", "job_title": "Enhetschef", "membership": "member"}
statuses.append(client.post(path, form).status_code)
statuses.append(client.get(path + "tack/").status_code)
# The link the confirmation carries, minted as the mail worker does.
personal = urlsplit(issue_link(Registration.objects.get(email="anna@example.se"))).path
statuses.append(client.get(personal).status_code)
public = loaded()
ics = client.get(personal + "kalender.ics")
after_ics = loaded()
own_data = client.get(personal + "mina-uppgifter/").status_code
after_own_data = loaded()
sign_in = client.get("/konto/login/").status_code
second_factor = client.get("/konto/2fa/authenticate/").status_code  # no sign-in begun: back to it
print(json.dumps({
    "statuses": statuses,
    "loaded": public,
    "ics": [ics.status_code, ics["Content-Type"], ics.content.startswith(b"BEGIN:VCALENDAR")],
    "after_ics": after_ics,
    "own_data": [own_data, after_own_data],
    "back_office": [sign_in, second_factor],
    "after_back_office": loaded(),
}))
""".replace("HEAVY", repr(HEAVY))


@contextlib.contextmanager
def scratch_database():
    """The suite's database server when it runs on PostgreSQL: a database of its own, dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    parts = urlsplit(url)
    name = f"frukost_worker_imports_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_public_pages_load_no_library_only_other_pages_need(tmp_path):
    environment = production_environment(tmp_path, FRUKOST_ALLOWED_HOSTS="testserver")
    with scratch_database() as database_url:
        if database_url:
            environment["DATABASE_URL"] = database_url
        output = run_python(SERVE_PUBLIC_PAGES, environment, timeout=180)
    outcome = last_json_line(output)

    assert outcome["statuses"] == [200, 200, 302, 200, 200]
    assert outcome["loaded"] == []
    # The pages that need them still work, and load them then.
    assert outcome["ics"] == [200, "text/calendar; charset=utf-8", True]
    assert outcome["after_ics"] == ["icalendar"]
    assert outcome["own_data"] == [
        200,
        ["icalendar", "frukost.public.selfservice_views", "frukost.privacy.selfservice"],
    ]
    assert outcome["back_office"] == [200, 302]
    assert {"fido2", "cryptography", "allauth.mfa.base.views"} <= set(outcome["after_back_office"])
