"""The registration POST alone: CPU, SQL statements and (optionally) a profile, in one process.

    .venv/bin/python benchmarks/post_costs.py                  # scratch SQLite database
    .venv/bin/python benchmarks/post_costs.py --profile 2000   # + cProfile of 2,000 POSTs, top 40
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frukost_costs .venv/bin/python benchmarks/post_costs.py

Settings as in production (DEBUG off), the real middleware, Django's test Client with CSRF
checks on. The form is filled as people fill it (as load.py does since issue 10): every
registration names workplace, title and membership; every third ticks two diets and writes a
need; every fifth brings a colleague. The body is
application/x-www-form-urlencoded, as a browser sends the form (`--multipart` for the test
client's default). Each POST comes from a new client address (REMOTE_ADDR),
so the rate limits run as for a crowd and never refuse. Reports the median CPU ms of a POST, of
the thank-you page that follows, and of a whole registration (GET page, POST, thank-you), plus
the SQL statements of one POST.

Instruction counts, repeatable on a busy machine (`--count-only N`: N POSTs after the warm-up,
inside the functools.reduce that callgrind collects in; prepare the database natively first and
give every run a fresh copy, so each starts from the same rows):

    .venv/bin/python benchmarks/post_costs.py --data-dir /tmp/post-seed --rounds 1
    rm -rf /tmp/post-run && cp -a /tmp/post-seed /tmp/post-run
    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=functools_reduce \
        --callgrind-out-file=/tmp/post.out .venv/bin/python benchmarks/post_costs.py \
        --data-dir /tmp/post-run --count-only 200
    grep totals /tmp/post.out    # instructions for 200 POSTs
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse

ROUNDS = 400


def form_fields(token: str, n: int, *, prefix: str, colleagues: bool, consent: bool = False) -> dict:
    """The n-th registration form as a person fills it: diets and needs in one in three, a
    colleague in one in five (when the event allows colleagues); addresses unique per n. With
    `consent`, the box for future invitations ticked in two forms of five (load.py's population:
    41 %)."""
    data = {
        "csrfmiddlewaretoken": token,
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": f"{prefix}-{n}@example.se",
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "membership": "member",
    }
    if n % 3 == 0:
        data["diets"] = ["gluten", "milk"]
        data["other_needs"] = "Teleslinga, tack."
    if consent and n % 5 in (1, 3):
        data["wants_future_invitations"] = "on"
    if n % 5 == 0 and colleagues:
        data |= {
            "colleague1_first_name": "Bo",
            "colleague1_last_name": "Ek",
            "colleague1_email": f"{prefix}-colleague-{n}@example.se",
        }
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--profile", type=int, default=0, help="profile this many POSTs")
    parser.add_argument("--sql", action="store_true", help="print one POST's statements")
    parser.add_argument("--callees", default="", help="with --profile: callees of these (regex)")
    parser.add_argument("--profile-thanks", type=int, default=0, help="profile this many thank-you pages")
    parser.add_argument(
        "--multipart",
        action="store_true",
        help="post multipart/form-data (the test client's default, as before 2026-12-01 21:00) "
        "instead of application/x-www-form-urlencoded, which browsers and load.py send",
    )
    parser.add_argument("--data-dir", default="", help="keep the database here (reused if it exists)")
    parser.add_argument(
        "--consent", action="store_true", help="tick the box for future invitations in 2 forms of 5"
    )
    parser.add_argument("--count-only", type=int, default=0, help="only run this many POSTs (for callgrind)")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="frukost-post-")
    data_dir = args.data_dir or scratch.name
    prepared = os.path.exists(os.path.join(data_dir, "frukost.sqlite3"))
    os.environ["FRUKOST_DATA_DIR"] = data_dir
    # Enough for --profile's thousands of POSTs (each from its own address) at one event.
    os.environ.setdefault("FRUKOST_RATELIMIT_PER_EVENT", "1000000")
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["FRUKOST_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["FRUKOST_SECURE_COOKIES"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from frukost.events.models import Event

    if not prepared or "DATABASE_URL" in os.environ:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
    if event.capacity != 10**6:
        event.capacity = 10**6
        event.save(update_fields=["capacity"])
    path = event.get_absolute_url()
    # On a database kept from an earlier run, addresses that run did not use.
    counter = iter(range(1 + 10**6 * prepared, 10**9))
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    token = client.cookies["csrftoken"].value

    def form(n: int) -> dict:
        return form_fields(
            token, n, prefix="post", colleagues=bool(event.max_colleagues), consent=args.consent
        )

    def send(data: dict, address: str):
        if args.multipart:
            return client.post(path, data, REMOTE_ADDR=address)
        # What a browser sends for a form without files (and load.py too).
        body = urllib.parse.urlencode(data, doseq=True)
        return client.post(path, body, content_type="application/x-www-form-urlencoded", REMOTE_ADDR=address)

    def post() -> None:
        n = next(counter)
        response = send(form(n), f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
        assert response.status_code == 302, (response.status_code, response.content[-2000:])

    def thanks() -> None:
        assert client.get(path + "tack/").status_code == 200

    visitor = Client()

    def page() -> None:
        visitor.cookies.clear()
        assert visitor.get(path).status_code == 200

    for _ in range(50):
        post()
        thanks()
        page()
    if args.count_only:
        functools.reduce(lambda _, __: post(), range(args.count_only), None)
        connection.close()
        return
    if True:
        n = 30  # no diets, no colleague: the common case
        with CaptureQueriesContext(connection) as queries:
            send(form(10**8 + 1), "10.200.0.1")
        print(f"SQL statements in one POST (plain form): {len(queries)}")
        if args.sql:
            for query in queries.captured_queries:
                print("   ", query["sql"][:200])
        with CaptureQueriesContext(connection) as queries:
            send(form(10**8 + 5 * 3), "10.200.0.2")
        print(f"SQL statements in one POST (diets and a colleague): {len(queries)}")
        del n
    samples = {"POST": [], "thank-you": [], "GET page": [], "registration (3 requests)": []}
    for _ in range(args.rounds):
        t0 = time.process_time_ns()
        page()
        t1 = time.process_time_ns()
        post()
        t2 = time.process_time_ns()
        thanks()
        t3 = time.process_time_ns()
        samples["GET page"].append((t1 - t0) / 1e6)
        samples["POST"].append((t2 - t1) / 1e6)
        samples["thank-you"].append((t3 - t2) / 1e6)
        samples["registration (3 requests)"].append((t3 - t0) / 1e6)
    print(f"database: {connection.vendor}; Python {sys.version.split()[0]}; median CPU ms of {args.rounds}")
    for name, values in samples.items():
        print(f"{name:<28} {statistics.median(values):6.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            post()
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_callees(
            args.callees or "event_detail|register.py:.*\\(register\\)"
        )
    if args.profile_thanks:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile_thanks):
            thanks()
        profiler.disable()
        pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(40)
    connection.close()


if __name__ == "__main__":
    main()
