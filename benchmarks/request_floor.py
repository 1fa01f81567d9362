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

The three requests of a complete registration (--flow), each as a new visitor makes them, the
cookies carried from one to the next: GET the event page (no cookies; sets the CSRF cookie), POST
the form filled as people fill it (post_costs.form_fields, urlencoded, with the token and cookie
from the page, Origin and Referer as a browser sends them, a new X-Forwarded-For per visitor) and
check the 302 to the thank-you page and its signed cookie, then GET the thank-you page with both
cookies. `--flow` prints the median and p10 CPU of each; `--count-only flow-page`, `flow-post` or
`flow-thanks` runs --rounds flows and counts only that request of each (callgrind collects inside
a functools.reduce around it). The event's capacity is raised and the per-event rate limit is off
(FRUKOST_RATELIMIT_PER_EVENT), as in post_costs.py; give every counted run a fresh copy of a
prepared data directory, so each starts from the same rows:

    PYTHONPATH=src .venv/bin/python benchmarks/request_floor.py --data-dir /tmp/flow-seed --rounds 1 --flow
    rm -rf /tmp/flow-run && cp -a /tmp/flow-seed /tmp/flow-run
    PYTHONHASHSEED=0 PYTHONPATH=src valgrind --tool=callgrind --toggle-collect=functools_reduce \
        --callgrind-out-file=/tmp/flow.out .venv/bin/python benchmarks/request_floor.py \
        --data-dir /tmp/flow-run --count-only flow-post --rounds 200

With --database-url postgres://… the same on PostgreSQL (a fresh database per run, prepared
natively first with a data directory of its own; callgrind counts only this client's instructions).
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
import urllib.parse
from http.cookies import SimpleCookie

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
        "--profile-page",
        choices=["baseline", "event", "flow-page", "flow-post", "flow-thanks"],
        default="baseline",
        help="what --profile profiles (flow-*: that request of --rounds flows)",
    )
    parser.add_argument("--data-dir", help="keep the scratch data here and reuse it (default: a fresh one)")
    parser.add_argument(
        "--count-only",
        choices=["baseline", "event", "flow-page", "flow-post", "flow-thanks"],
        help="only run the requests inside functools.reduce (flow-*: one request of each flow)",
    )
    parser.add_argument("--flow", action="store_true", help="also time the three requests of a registration")
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="switch the garbage collector off after the warm-up (so its collections, which fall where"
        " the allocations add up, do not move counts from one request to another)",
    )
    parser.add_argument(
        "--database-url", help="this database instead of SQLite (PostgreSQL: only the client is counted)"
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
    # The flow registers thousands of times at one event, each visitor from its own address.
    os.environ.setdefault("FRUKOST_RATELIMIT_PER_EVENT", "1000000")
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING", "DATABASE_URL"):
        os.environ.pop(name, None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
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
    event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
    if event.capacity != 10**6:
        event.capacity = 10**6
        event.save(update_fields=["capacity"])
    event_path = event.get_absolute_url()
    from post_costs import form_fields

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

    # A new visitor's flow: (status, headers, body) of each response, cookies carried along.
    # Numbered after the registrations already there (a reused data directory), the same numbers
    # in every run from a copy of the same data, so the counts repeat.
    from frukost.registrations.models import Registration

    visitors = iter(range(Registration.objects.count() + 1, 10**9))

    def address(n: int) -> str:
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    counted = {"step": None, "cpu": 0, "profiler": None}

    def call(step: str, env: dict) -> tuple[str, list, bytes]:
        """The application's part of a step (what is counted and timed; not the cookie parsing)."""
        answer = {}

        def start(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        def run(*_):
            body = application(env, start)
            answer["content"] = b"".join(body)
            body.close()

        begin = time.process_time_ns()
        if counted["step"] == step:
            functools.reduce(run, range(1), None)
        elif counted["profiler"] and args.profile_page == step:
            counted["profiler"].enable()
            run()
            counted["profiler"].disable()
        else:
            run()
        counted["cpu"] = time.process_time_ns() - begin
        return answer["status"], answer["headers"], answer["content"]

    def cookies_of(headers: list) -> dict:
        jar = SimpleCookie()
        for name, value in headers:
            if name == "Set-Cookie":
                jar.load(value)
        return {key: morsel.value for key, morsel in jar.items()}

    def flow_page(state: dict) -> None:
        n = state["n"] = next(visitors)
        env = environ(event_path)
        env["HTTP_X_FORWARDED_FOR"] = address(n)
        status, headers, content = call("flow-page", env)
        assert status.startswith("200"), status
        state["cookies"] = cookies_of(headers)
        marker = b'name="csrfmiddlewaretoken" value="'
        start = content.index(marker) + len(marker)
        state["token"] = content[start : content.index(b'"', start)].decode()

    def cookie_header(cookies: dict) -> str:
        return "; ".join(f"{key}={value}" for key, value in cookies.items())

    def flow_post(state: dict) -> None:
        n = state["n"]
        data = form_fields(state["token"], n, prefix="flow", colleagues=bool(event.max_colleagues))
        body = urllib.parse.urlencode(data, doseq=True).encode()
        env = environ(event_path, "POST")
        env |= {
            "HTTP_X_FORWARDED_FOR": address(n),
            "HTTP_COOKIE": cookie_header(state["cookies"]),
            "HTTP_ORIGIN": "https://127.0.0.1",
            "HTTP_REFERER": f"https://127.0.0.1{event_path}",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        status, headers, content = call("flow-post", env)
        assert status.startswith("302"), (status, content[-1500:])
        assert dict(headers)["Location"] == event_path + "tack/", headers
        state["cookies"] |= cookies_of(headers)
        assert "frukost_done" in state["cookies"], headers

    def flow_thanks(state: dict) -> None:
        env = environ(event_path + "tack/")
        env["HTTP_X_FORWARDED_FOR"] = address(state["n"])
        env["HTTP_COOKIE"] = cookie_header(state["cookies"])
        env["HTTP_REFERER"] = f"https://127.0.0.1{event_path}"
        status, _headers, content = call("flow-thanks", env)
        assert status.startswith("200") and b"csrfmiddlewaretoken" in content, status

    steps = {"flow-page": flow_page, "flow-post": flow_post, "flow-thanks": flow_thanks}

    def flow(count: str | None = None) -> None:
        counted["step"] = count
        state: dict = {}
        for step in steps.values():
            step(state)

    for _ in range(50):
        request(BASELINE_PATH)
        request(event_path)
        if args.flow or (args.count_only or "").startswith("flow"):
            flow()
    if args.no_gc:
        import gc

        gc.collect()
        gc.disable()
    if args.count_only in steps:
        for _ in range(args.rounds):
            flow(args.count_only)
        return
    if args.count_only:
        path = BASELINE_PATH if args.count_only == "baseline" else event_path
        functools.reduce(lambda _, __: request(path), range(args.rounds), None)
        return
    print(f"Python {sys.version.split()[0]}; CPU ms per request of {args.rounds}, new visitor: median, p10")
    for name, path in ((f"GET {BASELINE_PATH}", BASELINE_PATH), ("GET event page", event_path)):
        median, p10 = cpu_ms(path)
        print(f"{name:<20}  {median:.3f}  {p10:.3f}")
    if args.flow:
        samples = {name: [] for name in steps}
        for _ in range(args.rounds):
            state: dict = {}
            for name, step in steps.items():
                step(state)
                samples[name].append(counted["cpu"] / 1e6)
        for name, values in samples.items():
            values.sort()
            print(f"{name:<20}  {statistics.median(values):.3f}  {values[len(values) // 10]:.3f}")
    if args.profile:
        profiler = cProfile.Profile()
        if args.profile_page in steps:
            counted["profiler"] = profiler
            for _ in range(args.rounds):
                flow()
        else:
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
