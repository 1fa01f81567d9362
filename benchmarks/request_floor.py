"""The per-request floor in one process (issue 10): the WSGI application called as a server calls it.

    PYTHONPATH=src taskset -c 1 .venv/bin/python benchmarks/request_floor.py
    PYTHONPATH=src taskset -c 1 .venv/bin/python benchmarks/request_floor.py --profile /tmp/floor.prof

No test client and no server: a WSGI environ such as gunicorn builds for a new visitor behind the
documented proxy (X-Forwarded-For and -Proto, no cookies), handed to `frukost.wsgi.application`,
the response consumed and closed. Production settings (DEBUG off), SQLite in a scratch data
directory. Reports the median and tenth-percentile CPU (time.process_time) per request of the
accessibility statement (load.py's baseline page) and of the event page; with --profile, a
cProfile of the baseline page's requests (or the event page's, --profile-page event) sorted by own time.

Instruction counts, repeatable on a busy machine (the requests alone: callgrind collects only
inside the functools.reduce that runs them; set up the data directory natively first):

    PYTHONPATH=src .venv/bin/python benchmarks/request_floor.py --data-dir /tmp/floor --rounds 1
    PYTHONHASHSEED=0 PYTHONPATH=src valgrind --tool=callgrind --toggle-collect=functools_reduce \
        --callgrind-out-file=/tmp/floor.out .venv/bin/python benchmarks/request_floor.py \
        --data-dir /tmp/floor --count-only baseline --rounds 200
    grep totals /tmp/floor.out    # instructions for 200 requests
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time

BASELINE_PATH = "/tillganglighet/"


def environ(path: str, method: str = "GET") -> dict:
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.0",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "HTTP_ACCEPT_LANGUAGE": "sv-SE,sv;q=0.8,en-US;q=0.5,en;q=0.3",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
        "HTTP_X_FORWARDED_FOR": "198.51.100.7",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_CONNECTION": "close",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--profile", help="write a cProfile of the baseline page here and print its top")
    parser.add_argument(
        "--profile-page", choices=["baseline", "event"], default="baseline", help="what --profile profiles"
    )
    parser.add_argument("--data-dir", help="keep the scratch data here and reuse it (default: a fresh one)")
    parser.add_argument(
        "--count-only", choices=["baseline", "event"], help="only run the requests inside functools.reduce"
    )
    args = parser.parse_args()

    scratch = None if args.data_dir else tempfile.TemporaryDirectory(prefix="frukost-floor-")
    data_dir = args.data_dir or scratch.name
    os.makedirs(data_dir, exist_ok=True)
    os.environ["FRUKOST_DATA_DIR"] = data_dir
    os.environ.setdefault("FRUKOST_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["FRUKOST_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["FRUKOST_BEHIND_PROXY"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING", "DATABASE_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    from frukost.events.models import Event

    ready = os.path.join(data_dir, ".floor-ready")
    if not os.path.exists(ready):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        open(ready, "w").close()  # noqa: SIM115
    event_path = Event.objects.get(slug="chefsfrukost-leda-med-tillit").get_absolute_url()

    from frukost.wsgi import application

    def start_response(status, headers, exc_info=None):
        assert status.startswith("200"), status

    def request(path: str) -> None:
        body = application(environ(path), start_response)
        for _chunk in body:
            pass
        body.close()

    def cpu_ms(path: str) -> float:
        samples = []
        for _ in range(args.rounds):
            start = time.process_time_ns()
            request(path)
            samples.append((time.process_time_ns() - start) / 1e6)
        samples.sort()
        # The tenth percentile as well: on a shared machine other processes only ever add.
        return statistics.median(samples), samples[len(samples) // 10]

    for _ in range(50):
        request(BASELINE_PATH)
        request(event_path)
    if args.count_only:
        path = BASELINE_PATH if args.count_only == "baseline" else event_path
        functools.reduce(lambda _, __: request(path), range(args.rounds), None)
        return
    print(f"Python {sys.version.split()[0]}; CPU ms per request of {args.rounds}, new visitor: median, p10")
    for name, path in ((f"GET {BASELINE_PATH}", BASELINE_PATH), ("GET event page", event_path)):
        median, p10 = cpu_ms(path)
        print(f"{name:<20}  {median:.3f}  {p10:.3f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        path = BASELINE_PATH if args.profile_page == "baseline" else event_path
        for _ in range(args.rounds):
            request(path)
        profiler.disable()
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(35)


if __name__ == "__main__":
    main()
