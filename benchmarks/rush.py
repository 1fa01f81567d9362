"""The rush: the minute after the invitation e-mail lands, open-loop, on the production set-up.

    PYTHONPATH=src .venv/bin/python benchmarks/rush.py --db sqlite --db postgres

For each database it makes a scratch data directory (and database) as load.py does, then starts
the documented production set-up on this 2-core machine (docs/deploy.md): `frukost serve
--server granian --workers 2` (one worker per core, two threads each) and one `frukost worker`,
neither pinned, so the kernel spreads them over both cores as it would in production
(`--server gunicorn --workers 4`: the set-up before the seventh pass, two sync workers per
core). The load generator has to share the machine: it re-runs itself pinned to core 1, so it
takes at most one core and its own CPU is reported beside the server's.

After a short closed-loop warm-up (templates compiled, connections open; its mail drained), the
rush itself is open-loop, its schedule fixed by --seed:

- --registrations new visitors (default 1,000) arrive at Poisson times within --seconds (60):
  each with cookies of its own and an X-Forwarded-For address of its own GETs the event page,
  thinks (log-normal, median --think seconds, between 3 s and 60 s), POSTs the form filled as
  people do (loadgen.registration_form: diets, needs, a colleague in a share) and GETs the
  thank-you page it is sent to;
- --views visitors (default 5,000) who only look at the event page arrive in the same minute.

A visitor arrives when the schedule says, however slow the server is (open loop), so queueing
shows in the latencies instead of slowing the arrivals. Reported: p50/p95/p99/max per request
type, errors (every status other than the expected 2xx/3xx, every refused or timed-out
connection), and per registration the time from sending the POST until its confirmation e-mail
is written by the worker (the `.eml` file's name carries the moment it was written and the
recipient). Targets (issue 10): p99 < 250 ms for every request, no error, every confirmation
within 60 s. Never part of `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import load
import loadgen
import procstats

WEB_WORKERS = 2  # docs/deploy.md: `frukost serve --server granian --workers 2` on a 2-core machine
WEB_SERVER = "granian"
EML_NAME_TIME = "%Y%m%d-%H%M%S-%f"  # mail.backends.EmlDirectoryBackend's file names
REQUEST_TYPES = ("GET event page", "POST form", "GET thank-you page", "GET event page (view only)")


def schedule(args) -> tuple[list[float], list[float], list[float]]:
    """Arrival times of registrants and of viewers, and each registrant's think time.

    n Poisson arrivals conditioned on falling within T seconds are n uniform times, sorted.
    """
    rng = random.Random(args.seed)  # noqa: S311 - a benchmark's schedule
    registrants = sorted(rng.uniform(0, args.seconds) for _ in range(args.registrations))
    viewers = sorted(rng.uniform(0, args.seconds) for _ in range(args.views))
    sigma = 0.5
    thinks = [
        min(60.0, max(3.0, rng.lognormvariate(math.log(args.think), sigma))) if args.think else 0.0
        for _ in range(args.registrations)
    ]
    return registrants, viewers, thinks


def written_at(name: str) -> tuple[str, float] | None:
    """(recipient, epoch seconds) from an .eml file name, or None for anything else."""
    if not name.endswith(".eml") or name.startswith("."):
        return None
    stamp, rest = name[:22], name[23:-4]
    try:
        moment = dt.datetime.strptime(stamp, EML_NAME_TIME).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return rest.rpartition("-")[0], moment.timestamp()


def mail_written(mail_dir: Path) -> dict[str, float]:
    """The first moment an e-mail to each recipient was written."""
    first: dict[str, float] = {}
    if mail_dir.exists():
        for entry in os.scandir(mail_dir):
            parsed = written_at(entry.name)
            if parsed and (parsed[0] not in first or parsed[1] < first[parsed[0]]):
                first[parsed[0]] = parsed[1]
    return first


def wait_for_recipients(mail_dir: Path, recipients: set[str], timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        written = mail_written(mail_dir)
        if recipients <= written.keys() or time.monotonic() > deadline:
            return written
        time.sleep(0.5)


async def the_rush(args, event_path: str, run_id: str) -> tuple[loadgen.Results, dict]:
    registrants, viewers, thinks = schedule(args)
    results = loadgen.Results()
    posted_at: dict[str, float] = {}  # registrant's address -> wall time the POST was sent
    lags: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5

    async def at(moment: float):
        await asyncio.sleep(max(0.0, start + moment - loop.time()))
        lags.append(loop.time() - (start + moment))

    async def guarded(coroutine) -> None:
        try:
            await coroutine
            results.completed += 1
        except (loadgen.UnexpectedResponse, OSError, TimeoutError) as exc:
            results.errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1

    async def registrant(i: int) -> None:
        await at(registrants[i])
        email = f"rush-{run_id}-{i}@example.se"

        def on_post() -> None:
            posted_at[email] = time.time()

        await guarded(
            loadgen.complete_registration(
                args.port, event_path, email, results, seed=args.seed, index=i,
                client_ip=loadgen.visitor_ip(email), think_seconds=thinks[i], on_post=on_post,
            )
        )  # fmt: skip

    async def viewer(i: int) -> None:
        await at(viewers[i])
        ip = loadgen.visitor_ip(f"view-{run_id}-{i}")
        await guarded(loadgen.event_page(args.port, event_path, results, client_ip=ip, step=REQUEST_TYPES[3]))

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(
        *(registrant(i) for i in range(len(registrants))), *(viewer(i) for i in range(len(viewers)))
    )
    results.wall_seconds = time.perf_counter() - wall0
    results.generator_cpu_seconds = time.process_time() - cpu0
    return results, {"posted_at": posted_at, "lags": lags}


def rush(database: str, args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"frukost-rush-{database}-"))
    database_url = None
    if database == "postgres":
        database_url = f"{load.POSTGRES_ADMIN_URL}/{args.pg_database}"
        load.psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)")
        load.psql(f"CREATE DATABASE {args.pg_database}")
    env = load.server_environment(data_dir, args.port, database_url)
    env["FRUKOST_EMAIL_BACKEND"] = "frukost.mail.backends.EmlDirectoryBackend"
    # The production brake on registrations per event stays (load.py raises it for its thousands).
    del env["FRUKOST_RATELIMIT_PER_EVENT"]
    mail_dir = data_dir / "mail"
    server = mail_worker = None
    outcome: dict = {"database": database}
    try:
        load.manage(env, "migrate", "--no-input", "-v", "0")
        load.manage(env, "seed_demo")
        event_path = load.manage(env, "shell", "-c", load.SET_UP_EVENT).strip().splitlines()[-1]
        log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed with the process
        # The generator is pinned to core 1 and its children would inherit that: taskset gives the
        # server and the worker every core again (and execs, so the pids are theirs).
        every_core = ["taskset", "-c", f"0-{(os.cpu_count() or 1) - 1}"]
        server = subprocess.Popen(
            [*every_core, *load.server_command(args.server, args.workers, args.port, args.server_arg)],
            env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        load.wait_until_serving(args.port, event_path, server)
        mail_worker = subprocess.Popen(
            [
                *every_core,
                *(["nice", "-n", str(args.mail_worker_nice)] if args.mail_worker_nice else []),
                load.FRUKOST,
                "worker",
            ],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        master = server.pid
        peaks = procstats.PeakMemory(master)
        sampler = load.MemorySampler(peaks)
        sampler.start()
        run_id = secrets.token_hex(3)

        # Warm-up, closed loop, not measured: every worker has compiled its templates.
        async def warm(i, results):
            email = f"warmup-{run_id}-{i}@example.se"
            await loadgen.complete_registration(args.port, event_path, email, results, seed=-1, index=i)

        async def warm_page(i, results):
            await loadgen.event_page(args.port, event_path, results)

        warmed = asyncio.run(loadgen.run(args.warmup, 8, warm))
        asyncio.run(loadgen.run(4 * args.warmup, 8, warm_page))
        if warmed.errors:
            sys.exit(f"the warm-up failed: {dict(warmed.errors)}")
        warm_mail = warmed.completed + warmed.counters["colleagues"]
        load.wait_for_mail(mail_dir, warm_mail, timeout=120)
        if args.wait_quiet:
            load.wait_for_quiet_machine(args.wait_quiet)

        with_pg = database == "postgres"
        server0, mail0 = procstats.tree_cpu_seconds(master), procstats.cpu_seconds(mail_worker.pid)
        pg0 = load.postgres_cpu_seconds() if with_pg else None
        cores0 = procstats.core_busy_seconds()
        results, extra = asyncio.run(the_rush(args, event_path, run_id))
        cores1 = procstats.core_busy_seconds()
        server1 = procstats.tree_cpu_seconds(master)
        pg1 = load.postgres_cpu_seconds() if with_pg else None
        posted_at = extra["posted_at"]
        last_post = max(posted_at.values(), default=time.time())
        written = wait_for_recipients(
            mail_dir, set(posted_at), timeout=max(0.0, last_post + args.mail_timeout - time.time())
        )
        mail1 = procstats.cpu_seconds(mail_worker.pid)
        sampler.stopping.set()
        sampler.join()
        delays = sorted(written[e] - posted_at[e] for e in posted_at if e in written)
        mail_files = sum(1 for name in os.listdir(mail_dir) if name.endswith(".eml")) - warm_mail
        outcome.update(
            results=results,
            lags=extra["lags"],
            confirmation_delays=delays,
            confirmations_missing=len(posted_at) - len(delays),
            posts_sent=len(posted_at),
            server_cpu_seconds=server1 - server0,
            mail_worker_cpu_seconds=mail1 - mail0,
            mail_files=mail_files,
            postgres_cpu_seconds=(pg1 - pg0) if with_pg else None,
            core_busy_seconds={core: cores1[core] - cores0[core] for core in cores1},
            worker_peak_rss_mib={pid: kib / 1024 for pid, kib in peaks.peaks_kib.items()},
            # Every POST sent registers someone, even one whose answer the client gave up waiting for.
            expected_registrations=warm_mail + len(posted_at) + results.counters["colleagues posted"],
        )
    finally:
        for process in (mail_worker, server):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if sys.exc_info()[0] is None:
            counted = load.manage(env, "shell", "-c", load.COUNT_REGISTRATIONS).splitlines()[-1]
            outcome["registrations_in_database"], outcome["outbox_messages"] = map(int, counted.split())
        if database == "postgres":
            load.psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)")
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir)
    return outcome


def summary(outcome: dict, args) -> dict:
    r: loadgen.Results = outcome["results"]
    wall = r.wall_seconds
    requests = sum(len(r.latencies.get(step, ())) for step in REQUEST_TYPES)
    delays = outcome["confirmation_delays"]
    return {
        "database": outcome["database"],
        "registrations": args.registrations,
        "views": args.views,
        "seconds": args.seconds,
        "think_median_seconds": args.think,
        "latency_ms": {
            step: {
                "n": len(r.latencies[step]),
                **{
                    q: loadgen.percentile(r.latencies[step], f) * 1000
                    for q, f in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
                },
            }
            for step in REQUEST_TYPES
            if r.latencies.get(step)
        },
        "errors": dict(r.errors),
        "error_count": sum(r.errors.values()),
        # a refused connection or no answer in time; the rest had an answer (counted as requests)
        "unanswered": sum(n for e, n in r.errors.items() if not e.startswith("UnexpectedResponse")),
        "requests": requests,
        "wall_seconds": wall,
        "colleagues": r.counters["colleagues posted"],
        "posts_sent": outcome["posts_sent"],
        "server_cpu_percent_of_machine": 100 * outcome["server_cpu_seconds"] / (wall * (os.cpu_count() or 1)),
        "schedule_lag_ms": {
            "p99": loadgen.percentile(outcome["lags"], 0.99) * 1000,
            "max": max(outcome["lags"], default=0) * 1000,
        },
        "confirmation_seconds": {
            "n": len(delays),
            "missing": outcome["confirmations_missing"],
            **{
                q: loadgen.percentile(delays, f) if delays else None
                for q, f in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
            },
            "over_60_s": sum(1 for d in delays if d > 60),
        },
        "server_cpu_seconds": outcome["server_cpu_seconds"],
        "server_cpu_ms_per_request": 1000 * outcome["server_cpu_seconds"] / max(requests, 1),
        "mail_worker_cpu_seconds": outcome["mail_worker_cpu_seconds"],
        "mail_files": outcome["mail_files"],
        "mail_worker_cpu_ms_per_message": 1000
        * outcome["mail_worker_cpu_seconds"]
        / max(outcome["mail_files"], 1),
        "postgres_cpu_seconds": outcome["postgres_cpu_seconds"],
        "generator_cpu_seconds": r.generator_cpu_seconds,
        "core_busy_percent": {c: 100 * b / wall for c, b in outcome["core_busy_seconds"].items()},
        "worker_peak_rss_mib": max(outcome["worker_peak_rss_mib"].values(), default=0),
        "registrations_in_database": outcome.get("registrations_in_database"),
        "expected_registrations": outcome["expected_registrations"],
        "outbox_messages": outcome.get("outbox_messages"),
    }


def report(s: dict, args) -> str:
    ok = "✓"
    extra = f" ({' '.join(args.server_arg)})" if args.server_arg else ""
    lines = [
        f"### the rush on {s['database']}: {s['registrations']} registrations and {s['views']} page views "
        f"arriving within {s['seconds']:g} s (think time median {s['think_median_seconds']:g} s), "
        f"{args.workers} {args.server} workers{extra}"
        f" + 1 mail worker (nice {args.mail_worker_nice}) "
        f"on {os.cpu_count()} cores",
        "",
        "| request | answered | p50 ms | p95 ms | p99 ms | max ms | p99 < 250 ms |",
        "|---|---:|---:|---:|---:|---:|:-:|",
    ]
    for step, v in s["latency_ms"].items():
        lines.append(
            f"| {step} | {v['n']} | {v['p50']:.1f} | {v['p95']:.1f} | {v['p99']:.1f} | {v['max']:.1f} "
            f"| {ok if v['p99'] < 250 else '✗'} |"
        )
    c = s["confirmation_seconds"]
    fmt = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
    core = " / ".join(f"{b:.0f}" for b in s["core_busy_percent"].values())
    pg = s["postgres_cpu_seconds"]
    lines += [
        "",
        "- (Percentiles are over the requests answered; a request with no answer within "
        f"{loadgen.REQUEST_TIMEOUT_SECONDS} s is an error, and the visitor's later steps never happen.)",
        f"- Errors: {s['error_count']} of {s['requests'] + s['unanswered']} requests"
        + ("" if s["error_count"] else f" {ok}")
        + "".join(f"\n  - ×{n}: {e}" for e, n in s["errors"].items()),
        f"- Confirmation e-mail written, seconds after its POST was sent: p50 {fmt(c['p50'])}, "
        f"p95 {fmt(c['p95'])}, p99 {fmt(c['p99'])}, max {fmt(c['max'])}; {c['n']} of "
        f"{c['n'] + c['missing']} written, {c['over_60_s']} after more than 60 s"
        + (f" {ok}" if not c["missing"] and not c["over_60_s"] else " ✗"),
        f"- The rush lasted {s['wall_seconds']:.1f} s (last thank-you page included); cores busy "
        f"{core} % (everything on the machine, other people's work included).",
        f"- Server CPU ({args.server}'s master and workers): {s['server_cpu_seconds']:.1f} s "
        f"= {s['server_cpu_ms_per_request']:.2f} ms per request answered on average, "
        f"{s['server_cpu_percent_of_machine']:.0f} % of the machine over the rush; mail worker "
        f"{s['mail_worker_cpu_seconds']:.1f} s for {s['mail_files']} e-mails "
        f"= {s['mail_worker_cpu_ms_per_message']:.1f} ms each (until the last confirmation)"
        + ("" if pg is None else f"; PostgreSQL {pg:.1f} s (every postgres process on the machine)")
        + f"; load generator {s['generator_cpu_seconds']:.1f} s (core 1).",
        f"- Schedule: arrivals started late by p99 {s['schedule_lag_ms']['p99']:.1f} ms, max "
        f"{s['schedule_lag_ms']['max']:.1f} ms (the generator kept up if these are small).",
        f"- Registrations in the database afterwards: {s['registrations_in_database']} (expected "
        f"{s['expected_registrations']}: warm-up, {s['posts_sent']} POSTs sent in the rush and "
        f"{s['colleagues']} colleagues in them); "
        f"outbox messages {s['outbox_messages']}"
        + (f" {ok}" if s["registrations_in_database"] == s["expected_registrations"] else " — **MISMATCH**"),
        f"- Peak RSS per {args.server} worker: {s['worker_peak_rss_mib']:.1f} MiB.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", action="append", choices=["sqlite", "postgres"], help="repeatable; default both"
    )
    parser.add_argument("--registrations", type=int, default=1000, help="registrants arriving (default 1000)")
    parser.add_argument("--views", type=int, default=5000, help="page-only visitors arriving (default 5000)")
    parser.add_argument("--seconds", type=float, default=60, help="the arrivals' window (default 60)")
    parser.add_argument("--think", type=float, default=15, help="median think time on the form, s (0: none)")
    parser.add_argument(
        "--workers", type=int, default=WEB_WORKERS, help=f"web workers (default {WEB_WORKERS})"
    )
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default=WEB_SERVER,
        help=f"default {WEB_SERVER}, as deployed",
    )
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="more `frukost serve` options, e.g. --server-arg=--threads=1",
    )
    parser.add_argument("--warmup", type=int, default=40, help="closed-loop registrations first (unmeasured)")
    parser.add_argument("--mail-timeout", type=float, default=120, help="wait after the last POST, s")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--pg-database", default="frukost_rush", help="scratch database, created and dropped")
    parser.add_argument(
        "--wait-quiet", type=float, default=0, help="wait up to this long for an idle machine"
    )
    parser.add_argument(
        "--mail-worker-nice",
        type=int,
        default=10,
        help="the mail worker's niceness (default 10, as docs/deploy.md's unit: Nice=10; 0: none)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch data directory")
    args = parser.parse_args()
    load.pin_self_to_generator_core()
    print(
        f"# {platform.node()}: {os.cpu_count()} cores, {procstats.interpreter()}; server and mail "
        f"worker on any core, the load generator pinned to core {load.GENERATOR_CORE}\n",
        flush=True,
    )
    summaries = []
    for database in args.db or ["sqlite", "postgres"]:
        s = summary(rush(database, args), args)
        summaries.append(s)
        print(report(s, args) + "\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2, default=str))


if __name__ == "__main__":
    main()
