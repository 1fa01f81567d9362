"""The mail worker's CPU per message, in one process: the whole round and its pieces (issue 10).

    PYTHONPATH=src .venv/bin/python benchmarks/mail_compose.py                # scratch SQLite
    PYTHONPATH=src .venv/bin/python benchmarks/mail_compose.py --messages 300 --rounds 200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frukost_mail PYTHONPATH=src \
        .venv/bin/python benchmarks/mail_compose.py                           # created and dropped

Seeds the demo event (settings as in production, DEBUG off), queues confirmations and
waiting-list notices through the registration service, then lets `mail.worker.send_due` send
them with the `.eml` backend into a scratch directory, as `frukost worker` does in load.py.
"per message" is CPU (time.process_time) of the rounds divided by the messages sent. Then each
piece of one confirmation is timed alone (median of --rounds): the composer (templates,
calendar file, queries), each template, the calendar file, the personal link, the check-in code
and its QR PNG, building the MIME message and serialising it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time


def cpu_ms(function, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.process_time_ns()
        function()
        samples.append((time.process_time_ns() - start) / 1e6)
    return statistics.median(samples)


def _scratch_postgres(url: str):
    """Create the database named in `url` (dropped at exit); returns the drop function."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300, help="confirmations queued and sent")
    parser.add_argument("--rounds", type=int, default=200, help="rounds for each piece timed alone")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the sending")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="frukost-mail-")  # removed when the process ends
    os.environ["FRUKOST_DATA_DIR"] = scratch.name
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["FRUKOST_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["FRUKOST_EMAIL_BACKEND"] = "frukost.mail.backends.EmlDirectoryBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING"):
        os.environ.pop(name, None)
    drop = _scratch_postgres(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
    try:
        run(args)
    finally:
        if drop:
            from django.db import connections

            connections.close_all()
            drop()


def run(args) -> None:
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one line per message sent would be measured too
    from django.core.mail import get_connection
    from django.core.management import call_command
    from django.db import connection, transaction

    from frukost.checkin.codes import code_for_message, qr_png
    from frukost.events.models import Event
    from frukost.mail import worker
    from frukost.mail.enums import MailKind, MessageStatus
    from frukost.mail.models import OutboxMessage
    from frukost.mail.renderers import personalise_with_images
    from frukost.mail.worker import send_due
    from frukost.registrations import notifications
    from frukost.registrations.services import Answers, PersonData, register

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
    counter = iter(range(10**9))

    def person() -> PersonData:
        return PersonData(
            first_name="Anna",
            last_name="Svensson",
            email=f"mail-{secrets.token_hex(3)}-{next(counter)}@example.se",
            answers=Answers(membership="member"),
            language="sv",
        )

    def queue(count: int, capacity: int) -> None:
        Event.objects.filter(pk=event.pk).update(capacity=capacity)
        for _ in range(count):
            register(event=Event.objects.get(pk=event.pk), person=person())

    def send_all() -> tuple[int, float]:
        sent = 0
        start = time.process_time_ns()
        while True:
            done = send_due(limit=50)
            if not done:
                break
            sent += done
        return sent, (time.process_time_ns() - start) / 1e6

    send_all()  # whatever seed_demo queued
    results: dict[str, float] = {}
    queue(20, 10**6)
    send_all()  # warm up: imports, template loading, translations

    queue(args.messages, 10**6)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    sent, cpu = send_all()
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    assert sent == args.messages, sent
    results[f"confirmation: send_due, whole round, per message ({sent} sent)"] = cpu / sent

    taken = event.registrations.filter(status="registered").count()
    queue(args.messages // 3, taken)  # full: waiting-list notices
    sent, cpu = send_all()
    results[f"waiting-list notice: send_due, per message ({sent} sent)"] = cpu / sent
    Event.objects.filter(pk=event.pk).update(capacity=10**6)

    # One confirmation, each piece timed alone.
    with transaction.atomic():
        register(event=Event.objects.get(pk=event.pk), person=person())
    message = OutboxMessage.objects.filter(kind=MailKind.CONFIRMATION, status=MessageStatus.QUEUED).get()
    registration = message.registration
    rounds = args.rounds
    results["  render_message (compose: queries, templates, .ics)"] = cpu_ms(
        lambda: notifications.render_message(message), rounds
    )
    rendered = notifications.render_message(message)
    message.subject, message.body_text, message.body_html, message.ics = (
        rendered.subject,
        rendered.body_text,
        rendered.body_html,
        rendered.ics,
    )
    message.rendered_at = message.created_at
    pieces = _pieces(registration)
    for name, function in pieces.items():
        results[f"    {name}"] = cpu_ms(function, rounds)
    with transaction.atomic():
        results["  personalise_with_images (link minted, code stored, QR)"] = cpu_ms(
            lambda: personalise_with_images(message), rounds
        )
        results["    check-in code hook (code stored + QR PNG)"] = cpu_ms(
            lambda: code_for_message(message), rounds
        )
        transaction.set_rollback(True)
    results["    QR PNG alone (checkin.qr)"] = cpu_ms(lambda: qr_png("K7QX-2MPA"), rounds)
    personalised = personalise_with_images(message)

    def build():
        email = worker._Email(
            subject=message.subject,
            body=personalised.body_text,
            from_email="frukost <noreply@localhost>",
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers=worker._headers(message, ""),
        )
        email.inline_images = personalised.inline_images
        email.attach_alternative(personalised.body_html, "text/html")
        email.attach(worker._calendar_part(message.ics))
        return email

    results["  MIME: building the EmailMessage"] = cpu_ms(build, rounds)
    results["  MIME: .message().as_bytes() (what a backend sends)"] = cpu_ms(
        lambda: build().message().as_bytes(linesep="\r\n"), rounds
    )
    backend = get_connection()
    results["  .eml backend: send_messages of a built message"] = cpu_ms(
        lambda: backend.send_messages([build()]), rounds
    )

    width = max(map(len, results))
    vendor = connection.vendor
    connection.close()
    print(f"database: {vendor}; Python {sys.version.split()[0]}; CPU ms (pieces: median of {rounds})")
    for name, value in results.items():
        print(f"{name:<{width}}  {value:6.2f}")


def _pieces(registration) -> dict:
    """The composer's parts for one confirmation, each callable alone."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from frukost.mail.ical import event_calendar
    from frukost.registrations import notifications
    from frukost.registrations.queries import earlier_registrations

    captured = {}
    real = notifications.render_to_string

    def capture(name, context):
        captured[name] = context
        return real(name, context)

    notifications.render_to_string = capture
    try:
        notifications._receipt(registration, notifications.MailKind.CONFIRMATION)
    finally:
        notifications.render_to_string = real
    event = registration.event

    def in_language(function):
        def call():
            with translation.override(registration.language):
                return function()

        return call

    # A message composed from its cached frames (mail/frames.py) renders no template: only the
    # templates the composer did render are timed alone.
    pieces = {
        name: in_language(lambda name=name: render_to_string(name, captured[name]))
        for name in ("mail/message.txt", "mail/message.html")
        if name in captured
    }
    pieces["calendar file (event_calendar)"] = in_language(lambda: event_calendar(event))
    pieces["earlier_registrations query"] = lambda: earlier_registrations(registration)
    return pieces


if __name__ == "__main__":
    main()
