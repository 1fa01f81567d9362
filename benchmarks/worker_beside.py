"""The web's registration with the mail worker's writes beside it, on SQLite, repeatably.

    .venv/bin/python benchmarks/worker_beside.py --data-dir /tmp/beside-seed --prepare
    rm -rf /tmp/beside-run && cp -a /tmp/beside-seed /tmp/beside-run
    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=functools_reduce \
        --callgrind-out-file=/tmp/beside.out .venv/bin/python benchmarks/worker_beside.py \
        --data-dir /tmp/beside-run --registrations 200 [--worker] [--pragma "PRAGMA mmap_size=…;"]
    grep totals /tmp/beside.out    # the web's instructions for 200 complete registrations

One process, two threads with a connection each, as the web worker and the mail worker have in
production. The main thread makes complete registrations (GET the event page, POST the form,
GET the thank-you page), each inside a functools.reduce, so callgrind counts the web's
instructions only (`--count worker`: the worker's `send_due` instead). With --worker, after each
registration a second thread runs the real `send_due` (the dummy e-mail backend) and the main
thread waits for it: the worker's claims, links, check-in codes, hand-overs and "sent" land
between two registrations, one registration's mail at a time, in the same order on every run.
The web's connection then sees another connection's commits before each registration, as in
production (where they can also land between its three requests). Without --worker the mail
stays queued. The web thread's id is printed, to pick its file from `strace -ff -o DIR/t`.
Settings as in production (DEBUG off, SQLite's options from settings.py; --pragma appends to
them, for trying an option without editing settings.py).
"""

from __future__ import annotations

import argparse
import functools
import os
import secrets
import sys
import threading
import time
import urllib.parse

from post_costs import form_fields  # the benchmarks' folder is on sys.path as a script's


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--prepare", action="store_true", help="create and seed the database, then stop")
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--worker", action="store_true", help="send the mail between registrations")
    parser.add_argument(
        "--count", choices=("web", "worker"), default="web", help="whose instructions callgrind counts"
    )
    parser.add_argument("--pragma", default="", help="appended to SQLite's init_command")
    args = parser.parse_args()
    os.environ["FRUKOST_DATA_DIR"] = args.data_dir
    os.environ.setdefault("FRUKOST_RATELIMIT_PER_EVENT", "1000000")
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["FRUKOST_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["FRUKOST_SECURE_COOKIES"] = "0"
    os.environ["FRUKOST_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING", "DATABASE_URL"):
        os.environ.pop(name, None)
    import django
    from django.conf import settings

    settings.DATABASES["default"]["OPTIONS"]["init_command"] += args.pragma
    django.setup()
    import logging

    logging.getLogger("frukost.mail.worker").setLevel(logging.WARNING)  # a line per message otherwise
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from frukost.events.models import Event
    from frukost.mail.models import OutboxMessage
    from frukost.mail.worker import send_due

    if args.prepare:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
        event.capacity = 10**6
        event.save(update_fields=["capacity"])
        send_due(limit=10**6)  # the demo's own mail out of the way
        connection.close()
        return
    event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
    path = event.get_absolute_url()
    counter = iter(range(1, 10**9))
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    token = client.cookies["csrftoken"].value
    visitor = Client()

    def registration() -> None:
        n = next(counter)
        visitor.cookies.clear()
        assert visitor.get(path).status_code == 200
        data = form_fields(token, n, prefix="beside", colleagues=bool(event.max_colleagues))
        body = urllib.parse.urlencode(data, doseq=True)
        address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        response = client.post(
            path, body, content_type="application/x-www-form-urlencoded", REMOTE_ADDR=address
        )
        assert response.status_code == 302, response.status_code
        assert client.get(path + "tack/").status_code == 200

    go, done = threading.Semaphore(0), threading.Semaphore(0)
    sent = [0]

    def worker() -> None:
        from django.db import connection as worker_connection

        while True:
            go.acquire()
            if stop.is_set():
                worker_connection.close()
                done.release()
                return
            if args.count == "worker":
                sent[0] += functools.reduce(lambda _, __: send_due(), range(1), None)
            else:
                sent[0] += send_due()
            done.release()

    stop = threading.Event()
    thread = threading.Thread(target=worker, daemon=True)
    thread.start()

    def mail() -> None:
        if args.worker:
            go.release()
            done.acquire()

    print(f"web thread id {threading.get_native_id()}", file=sys.stderr)
    for _ in range(args.warmup):
        registration()
        mail()
    cpu = 0
    for _ in range(args.registrations):
        start = time.thread_time_ns()
        if args.count == "web":
            functools.reduce(lambda _, __: registration(), range(1), None)
        else:
            registration()
        cpu += time.thread_time_ns() - start
        mail()
    stop.set()
    go.release()
    done.acquire()
    queued = OutboxMessage.objects.filter(status="queued").count()
    print(f"web thread CPU per registration {cpu / args.registrations / 1e6:.2f} ms", file=sys.stderr)
    print(f"registrations {args.registrations}; mail sent {sent[0]}; still queued {queued}", file=sys.stderr)
    connection.close()


if __name__ == "__main__":
    main()
