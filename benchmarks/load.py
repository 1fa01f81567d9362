"""Load test frukost as it runs in production: gunicorn, DEBUG off, on 127.0.0.1.

    taskset -c 1 .venv/bin/python benchmarks/load.py --db sqlite --db postgres

For each database it creates a scratch data directory (and, for PostgreSQL, a scratch
database), migrates, seeds the demo event and raises its capacity, starts
`frukost serve --workers N` pinned to core 0 (and `frukost worker` beside it, also on core 0,
unless --no-mail-worker), then from core 1 measures

  (a) complete registrations: GET the event page, POST the form, GET the thank-you page; the
      form filled as people do (loadgen.registration_form: diets, needs, a colleague in a share);
  (b) the event page alone,

at --clients concurrent clients, and reads the server's own CPU time and peak memory from
/proc. It stops by itself after the given number of iterations and cleans up after itself.
Never part of `make test`; see benchmarks/README.md for figures.

PostgreSQL's own CPU and statements: on a shared server the CPU of every postgres process is
counted, other people's too. A private cluster with pg_stat_statements preloaded gives only ours
(benchmarks/README.md, "Third pass: PostgreSQL", has the initdb recipe):

    .venv/bin/python benchmarks/load.py --db postgres --pg-admin-url postgres://postgres@127.0.0.1:5814 \
        --pg-own-cpu --pg-statements /tmp/statements    # one file per phase: calls and ms per request
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import loadgen
import pgstats
import procstats

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FRUKOST = str(BIN / "frukost")
SERVER_CORE, GENERATOR_CORE = 0, 1
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"
CORE_STATES = ("user", "system", "softirq", "steal", "idle")  # core 0's, in the report
BASELINE_PATH = "/tillganglighet/"  # the accessibility statement: base template, no form, no query
SET_UP_EVENT = """
from frukost.events.models import Event
event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
event.capacity = 10**6
event.save(update_fields=["capacity"])
print(event.get_absolute_url())
"""
COUNT_REGISTRATIONS = """
from frukost.registrations.models import Registration
from frukost.mail.models import OutboxMessage
print(Registration.objects.count(), OutboxMessage.objects.count())
"""


@dataclass
class Phase:
    name: str
    results: loadgen.Results
    server_cpu_seconds: float
    mail_worker_cpu_seconds: float
    postgres_cpu_seconds: float | None
    core_busy_seconds: dict[int, float]
    postgres_cpu_by_role: dict[str, float] = field(default_factory=dict)
    workers_seen: list[int] = field(default_factory=list)
    # The server's CPU split into user and system time, its context switches and run delay, and
    # what its core did meanwhile: what explains two runs of the same code differing.
    server: procstats.Counters = field(default_factory=procstats.Counters)
    server_core: dict[str, float] = field(default_factory=dict)


def pin_self_to_generator_core() -> None:
    if os.sched_getaffinity(0) != {GENERATOR_CORE}:
        os.execvp("taskset", ["taskset", "-c", str(GENERATOR_CORE), sys.executable, *sys.argv])  # noqa: S606


def server_environment(
    data_dir: Path,
    port: int,
    database_url: str | None,
    settings_module: str | None = None,
    extra_path: str = "",
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRUKOST_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="frukost.settings",
        FRUKOST_DATA_DIR=str(data_dir),
        FRUKOST_SECRET_KEY=secrets.token_urlsafe(50),
        FRUKOST_ALLOWED_HOSTS="127.0.0.1",
        FRUKOST_BASE_URL=f"http://127.0.0.1:{port}",
        # Plain http on loopback: cookies marked Secure would never come back from a browser.
        FRUKOST_SECURE_COOKIES="0",
        # As behind the documented nginx: the load generator sends each visitor's own address in
        # X-Forwarded-For, so the per-client rate limits hold as for real visitors. The per-event
        # brake is raised above the run's volume (thousands of registrations for one event within
        # a minute or two), which a real event never sees.
        FRUKOST_BEHIND_PROXY="1",
        FRUKOST_RATELIMIT_PER_EVENT="1000000",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if settings_module:
        # Only for trying a change without editing src/: a module that imports frukost.settings
        # and overrides a few names, found on extra_path.
        env["DJANGO_SETTINGS_MODULE"] = settings_module
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [extra_path, env.get("PYTHONPATH")]))
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [FRUKOST, *args], env=env, cwd=env["FRUKOST_DATA_DIR"], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"frukost {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def psql(sql: str, admin_url: str = POSTGRES_ADMIN_URL, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", f"{admin_url}/{database}", "-q", "-At", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def server_command(server: str, workers: int, port: int, extra: list[str] | None = None) -> list[str]:
    """The web server's command line: `frukost serve`, as in production, with gunicorn (its
    default) or granian (`--server granian`, core/granian.py); `extra` are more of its options."""
    chosen = [] if server == "gunicorn" else [f"--server={server}"]  # older trees have no --server
    return [FRUKOST, "serve", *chosen, f"--workers={workers}", f"--port={port}", *(extra or [])]


def wait_until_serving(port: int, path: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server exited during start-up; see its log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not answer within a minute")


def postmaster_pid(admin_url: str) -> int:
    """The pid of the postmaster serving admin_url (a parent of every backend), if it is local."""
    checkpointer = psql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'", admin_url)
    return int(procstats._stat_fields(int(checkpointer))[1])  # after the ")": state, ppid


def postgres_cpu_seconds(postmaster: int | None = None) -> float:
    """CPU of one PostgreSQL cluster (its postmaster's tree, reaped backends included) or, without
    a postmaster, of every process named postgres on the machine (our backends, but others' too)."""
    if postmaster:
        return procstats.tree_cpu_seconds(postmaster)
    total = 0.0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                comm = Path(f"/proc/{name}/comm").read_text().strip()
            except OSError:
                continue
            if comm == "postgres":
                total += procstats.cpu_seconds(int(name), include_reaped_children=True)
    return total


class MemorySampler(threading.Thread):
    def __init__(self, peaks: procstats.PeakMemory, every: float = 0.25):
        super().__init__(daemon=True)
        self.peaks, self.every, self.stopping = peaks, every, threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            self.peaks.sample()


def start_profiler(args, master: int, name: str) -> subprocess.Popen | None:
    """py-spy on every gunicorn process, writing collapsed stacks (for profiling runs only)."""
    if not args.py_spy:
        return None
    args.profile_dir.mkdir(parents=True, exist_ok=True)
    out = args.profile_dir / f"{args.current_db}-{name.replace(' ', '-')}.txt"
    return subprocess.Popen(
        ["taskset", "-c", str(GENERATOR_CORE), args.py_spy, "record", "--subprocesses", "--nonblocking",
         "--format", "raw", "--rate", "250", "-p", str(master), "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def measure(name, total, clients, task, master, mail_worker, peaks, with_postgres, args) -> Phase:
    profiler = start_profiler(args, master, name)
    peaks.sample()
    before_workers = set(peaks.worker_pids)
    server0 = procstats.tree_cpu_seconds(master)
    mail0 = procstats.cpu_seconds(mail_worker.pid) if mail_worker else 0.0
    query = functools.partial(psql, admin_url=args.pg_admin_url, database=args.pg_database)
    if with_postgres and args.pg_statements:
        psql("SELECT pg_stat_statements_reset()", args.pg_admin_url, args.pg_database)
        tables0 = pgstats.table_counters(query)
    roles = args.pg_roles if with_postgres else None
    roles0 = roles.by_role() if roles else {}
    pg0 = postgres_cpu_seconds(args.postmaster) if with_postgres else None
    cores0 = procstats.core_busy_seconds()
    times0 = procstats.core_times()[SERVER_CORE]
    counters0 = procstats.tree_counters(master)
    results = asyncio.run(loadgen.run(total, clients, task))
    counters1 = procstats.tree_counters(master)
    times1 = procstats.core_times()[SERVER_CORE]
    cores1 = procstats.core_busy_seconds()
    server1 = procstats.tree_cpu_seconds(master)
    mail1 = procstats.cpu_seconds(mail_worker.pid) if mail_worker else 0.0
    pg1 = postgres_cpu_seconds(args.postmaster) if with_postgres else None
    by_role = pgstats.role_difference(roles0, roles.by_role(), pg1 - pg0) if roles else {}
    if with_postgres and args.pg_statements:
        dump_statements(args, name, results.completed)
        (args.pg_statements / f"tables-{name.replace(' ', '-')}.txt").write_text(
            pgstats.counters_report(tables0, pgstats.table_counters(query), results.completed, name) + "\n"
        )
    peaks.sample()
    if profiler:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)
    return Phase(
        name=name,
        results=results,
        server_cpu_seconds=server1 - server0,
        mail_worker_cpu_seconds=mail1 - mail0,
        postgres_cpu_seconds=(pg1 - pg0) if with_postgres else None,
        core_busy_seconds={core: cores1[core] - cores0[core] for core in cores1},
        postgres_cpu_by_role=by_role,
        workers_seen=sorted(set(peaks.worker_pids) - before_workers),
        server=counters1 - counters0,
        server_core={state: times1[state] - times0[state] for state in times1},
    )


def dump_statements(args, phase: str, completed: int) -> None:
    """Write pg_stat_statements for this phase's database, per unit of work: calls, execution and
    planning ms, how many of the calls were planned, shared buffers hit / read / dirtied and the
    WAL each statement wrote (records, bytes)."""
    rows = psql(
        # Savepoint names differ each time: one line for all of them.
        "SELECT sum(calls), sum(total_exec_time), sum(total_plan_time), sum(plans), "
        "sum(shared_blks_hit), sum(shared_blks_read), sum(shared_blks_dirtied), "
        "sum(wal_records), sum(wal_bytes), q FROM ("
        "SELECT calls, total_exec_time, total_plan_time, plans, shared_blks_hit, shared_blks_read, "
        "shared_blks_dirtied, wal_records, wal_bytes, regexp_replace(regexp_replace("
        "query, '\\s+', ' ', 'g'), '\"s[0-9]+_x[0-9]+\"', '\"…\"') AS q "
        "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        "WHERE d.datname = current_database()) t GROUP BY q ORDER BY 1 DESC, 2 DESC",
        args.pg_admin_url,
        args.pg_database,
    )
    args.pg_statements.mkdir(parents=True, exist_ok=True)
    per = max(completed, 1)
    lines = [
        f"# {phase}: {completed} completed; per completed: calls, exec ms, plan ms, plans, "
        "buffers hit, read, dirtied, WAL records, WAL bytes; query"
    ]
    totals = [0.0] * 8
    for row in filter(None, rows.splitlines()):
        *numbers, query = row.split("|", 9)
        if "pg_stat_statements" in query:
            continue
        calls, exec_ms, plan_ms, plans, hit, read, dirtied, wal_records, wal_bytes = (
            float(n or 0) / per for n in numbers
        )
        for i, value in enumerate((calls, exec_ms, plan_ms, plans, hit, read, wal_records, wal_bytes)):
            totals[i] += value
        lines.append(
            f"{calls:7.2f} {exec_ms:7.3f} {plan_ms:7.3f} {plans:6.2f} {hit:7.1f} {read:5.1f} {dirtied:5.1f}"
            f" {wal_records:6.2f} {wal_bytes:7.0f}  {query[:300]}"
        )
    lines.insert(
        1,
        f"# statements per completed: {totals[0]:.2f}; exec+plan ms: {totals[1] + totals[2]:.3f} "
        f"(plan {totals[2]:.3f}, {totals[3]:.2f} plans); buffers hit {totals[4]:.1f}, read {totals[5]:.1f}; "
        f"WAL by statements {totals[6]:.1f} records, {totals[7]:.0f} bytes",
    )
    (args.pg_statements / f"{phase.replace(' ', '-')}.txt").write_text("\n".join(lines) + "\n")


def registered(warmed: loadgen.Results, phases: list[Phase]) -> int:
    """Registrations made: the registrants and the colleagues they brought (one e-mail each)."""
    runs = [warmed] + [p.results for p in phases if p.name == "complete registration"]
    return sum(r.completed + r.counters["colleagues"] for r in runs)


def wait_for_mail(mail_dir: Path, expected: int, timeout: float) -> tuple[int, float]:
    start = time.monotonic()
    count = 0
    while time.monotonic() - start < timeout:
        count = sum(1 for _ in mail_dir.glob("*.eml")) if mail_dir.exists() else 0
        if count >= expected:
            break
        time.sleep(0.5)
    return count, time.monotonic() - start


def wait_for_quiet_machine(limit_seconds: float, busy_below: float = 0.15) -> None:
    """Wait (up to a limit) until no core is busier than busy_below for three seconds.

    Other people's test runs on the same machine would otherwise be measured as our latency.
    """
    deadline = time.monotonic() + limit_seconds
    while True:
        before = procstats.core_busy_seconds()
        time.sleep(3)
        after = procstats.core_busy_seconds()
        busiest = max((after[c] - before[c]) / 3 for c in after)
        if busiest < busy_below or time.monotonic() > deadline:
            print(f"(busiest core {100 * busiest:.0f}% busy before starting)", flush=True)
            return


def bench(database: str, args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"frukost-bench-{database}-"))
    database_url = None
    if database == "postgres":
        database_url = f"{args.pg_admin_url}/{args.pg_database}"
        psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)", args.pg_admin_url)
        psql(f"CREATE DATABASE {args.pg_database}", args.pg_admin_url)
        if args.pg_statements:
            psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", args.pg_admin_url, args.pg_database)
        args.postmaster = postmaster_pid(args.pg_admin_url) if args.pg_own_cpu else None
        args.pg_roles = None
        if args.postmaster and args.pg_statements:
            query = functools.partial(psql, admin_url=args.pg_admin_url, database=args.pg_database)
            args.pg_roles = pgstats.RoleSampler(args.postmaster, query)
            args.pg_roles.start()
    env = server_environment(data_dir, args.port, database_url, args.settings, args.pythonpath)
    server = mail_worker = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo")
        event_path = manage(env, "shell", "-c", SET_UP_EVENT).strip().splitlines()[-1]
        log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed with the process
        # libpq's PGAPPNAME names each process's connections in pg_stat_activity (--pg-roles).
        server = subprocess.Popen(
            ["taskset", "-c", str(SERVER_CORE),
             *server_command(args.server, args.workers, args.port, args.server_arg)],
            env={**env, "PGAPPNAME": "web"}, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until_serving(args.port, event_path, server)
        # A worker that has served nothing yet: what booting one costs (paid again at each recycle).
        worker_boot_cpu = min(procstats.cpu_seconds(pid) for pid in procstats.children_of(server.pid))
        if args.mail_worker:
            mail_worker = subprocess.Popen(
                ["taskset", "-c", str(SERVER_CORE),
                 *(["nice", "-n", str(args.mail_worker_nice)] if args.mail_worker_nice else []),
                 FRUKOST, "worker"],
                env={**env, "PGAPPNAME": "worker"}, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        master = server.pid  # taskset and `frukost serve` exec: gunicorn's master (or granian's)
        peaks = procstats.PeakMemory(master)
        sampler = MemorySampler(peaks)
        sampler.start()
        run_id = secrets.token_hex(3)

        def registration(prefix):
            seed = args.seed if prefix == "bench" else args.seed + 1

            async def task(i, results):
                email = f"{prefix}-{run_id}-{i}@example.se"
                await loadgen.complete_registration(args.port, event_path, email, results, seed=seed, index=i)

            return task

        async def page(i, results):
            await loadgen.event_page(args.port, event_path, results)

        # Warm up: templates compiled, connections open, caches filled; not measured.
        warmed = asyncio.run(loadgen.run(args.warmup, args.clients, registration("warmup")))
        asyncio.run(loadgen.run(args.warmup, args.clients, page))
        with_pg = database == "postgres"
        phases = [
            measure(
                "complete registration",
                args.registrations,
                args.clients,
                registration("bench"),
                master,
                mail_worker,
                peaks,
                with_pg,
                args,
            ),
            measure("event page", args.pages, args.clients, page, master, mail_worker, peaks, with_pg, args),
        ]
        if args.baseline_pages:
            # A page with no form and no queries: what any request costs in this stack.
            async def baseline(i, results):
                await loadgen.simple_page(args.port, BASELINE_PATH, results)

            phases.append(
                measure("baseline page", args.baseline_pages, args.clients, baseline,
                        master, mail_worker, peaks, with_pg, args)
            )  # fmt: skip  # fmt: skip
        mail_sent, mail_wait = (0, 0.0)
        mail_cpu = None
        if mail_worker:
            # One confirmation per registration and one invitation per colleague brought.
            expected = registered(warmed, phases)
            mail_cpu0 = procstats.cpu_seconds(mail_worker.pid)
            mail_sent, mail_wait = wait_for_mail(data_dir / "mail", expected, timeout=300)
            mail_cpu = (
                sum(p.mail_worker_cpu_seconds for p in phases)
                + procstats.cpu_seconds(mail_worker.pid)
                - mail_cpu0
            )
        sampler.stopping.set()
        sampler.join()
        if database == "postgres" and args.pg_roles:
            args.pg_roles.stopping.set()
            args.pg_roles.join()
        worker_rss = {pid: kib / 1024 for pid, kib in peaks.peaks_kib.items()}
        master_mib = peaks.master_mib
    finally:
        for process in (mail_worker, server):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if sys.exc_info()[0] is None:
            counted = manage(env, "shell", "-c", COUNT_REGISTRATIONS).splitlines()[-1]
            registrations, outbox = map(int, counted.split())
        if database == "postgres":
            psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)", args.pg_admin_url)
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir)
    return {
        "database": database,
        "phases": phases,
        "worker_peak_rss_mib": worker_rss,
        "master_peak_rss_mib": master_mib,
        "worker_boot_cpu_seconds": worker_boot_cpu,
        "registrations_in_database": registrations,
        "outbox_messages": outbox,
        "expected_registrations": registered(warmed, phases),
        "colleagues": warmed.counters["colleagues"] + sum(p.results.counters["colleagues"] for p in phases),
        "mail_files": mail_sent,
        "mail_drain_seconds": mail_wait,
        "mail_worker_cpu_seconds": mail_cpu,
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(outcome: dict, args) -> str:
    lines = [
        f"### {outcome['database']} — {args.workers} {args.server} workers, {args.clients} clients"
        + (f" ({' '.join(args.server_arg)})" if args.server_arg else "")
        + (f", settings {args.settings}" if args.settings else ""),
        "",
        "| phase | step | n | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for phase in outcome["phases"]:
        for step, values in phase.results.latencies.items():
            lines.append(
                f"| {phase.name} | {step} | {len(values)} | {ms(loadgen.percentile(values, 0.5))} | "
                f"{ms(loadgen.percentile(values, 0.9))} | {ms(loadgen.percentile(values, 0.99))} | "
                f"{ms(max(values))} |"
            )
    lines += [
        "",
        "| phase | completed | errors | wall s | per second | server CPU ms each | server CPU % of core 0 "
        "| mail worker CPU s | PostgreSQL CPU ms each | generator CPU % of core 1 | core 0 / core 1 busy % "
        "| new workers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in outcome["phases"]:
        r = phase.results
        pg = (
            "–"
            if phase.postgres_cpu_seconds is None
            else ms(phase.postgres_cpu_seconds / max(r.completed, 1))
        )
        lines.append(
            f"| {phase.name} | {r.completed} | {sum(r.errors.values())} | {r.wall_seconds:.1f} | "
            f"{r.completed / r.wall_seconds:.1f} | {ms(phase.server_cpu_seconds / max(r.completed, 1))} | "
            f"{100 * phase.server_cpu_seconds / r.wall_seconds:.0f} | "
            f"{phase.mail_worker_cpu_seconds:.1f} | {pg} | "
            f"{100 * r.generator_cpu_seconds / r.wall_seconds:.0f} | "
            f"{' / '.join(f'{100 * b / r.wall_seconds:.0f}' for b in phase.core_busy_seconds.values())} | "
            f"{len(phase.workers_seen)} |"
        )
    lines += [
        "",
        "| phase | server user / sys ms each | switches each: voluntary / involuntary | minor faults each "
        "| run delay ms each | core 0: user / sys / softirq / steal / idle % | others on core 0 % |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in outcome["phases"]:
        c, each, wall = phase.server, max(phase.results.completed, 1), phase.results.wall_seconds
        core = phase.server_core
        # Core 0's busy time less the server's and the mail worker's (both pinned there): other
        # people's processes, PostgreSQL's backends and kernel threads that ran on the core.
        ours = phase.server_cpu_seconds + phase.mail_worker_cpu_seconds
        others = phase.core_busy_seconds[SERVER_CORE] - ours
        lines.append(
            f"| {phase.name} | {ms(c.user / each)} / {ms(c.system / each)} | "
            f"{c.voluntary_switches / each:.1f} / {c.involuntary_switches / each:.1f} | "
            f"{c.minor_faults / each:.1f} | {ms(c.run_delay / each)} | "
            + " / ".join(f"{100 * core.get(state, 0.0) / wall:.0f}" for state in CORE_STATES)
            + f" | {100 * max(others, 0.0) / wall:.0f} |"
        )
    rss = outcome["worker_peak_rss_mib"]
    lines += [
        "",
        f"- Peak RSS (VmHWM) per {args.server} worker: {', '.join(f'{v:.1f}' for v in rss.values())} MiB "
        f"(max {max(rss.values(), default=0):.1f} MiB); master {outcome['master_peak_rss_mib']:.1f} MiB.",
        f"- Booting a worker costs {outcome['worker_boot_cpu_seconds']:.2f} s of CPU"
        + (
            "; gunicorn recycles each after 10,000 ± 1,000 requests (`frukost serve --max-requests`), "
            "counted in the phase where it happens (new workers)."
            if args.server == "gunicorn"
            else "."
        ),
        f"- Registrations in the database afterwards: {outcome['registrations_in_database']} "
        f"(expected {outcome['expected_registrations']}, of which {outcome['colleagues']} colleagues); "
        f"outbox messages: {outcome['outbox_messages']}"
        + (
            "."
            if outcome["registrations_in_database"] == outcome["expected_registrations"]
            else " — **MISMATCH**."
        ),
    ]
    if outcome["mail_worker_cpu_seconds"] is not None:
        lines.append(
            f"- Mail worker: {outcome['mail_files']} .eml files, "
            f"drained {outcome['mail_drain_seconds']:.1f} s "
            f"after the load ended; its CPU over the run {outcome['mail_worker_cpu_seconds']:.1f} s "
            f"= {ms(outcome['mail_worker_cpu_seconds'] / max(outcome['mail_files'], 1))} ms per message."
        )
    for phase in outcome["phases"]:
        if phase.postgres_cpu_by_role:
            each = max(phase.results.completed, 1)
            lines.append(
                f"- PostgreSQL CPU by role, {phase.name}, ms each: "
                + ", ".join(f"{role} {ms(s / each)}" for role, s in phase.postgres_cpu_by_role.items())
            )
    for phase in outcome["phases"]:
        for error, count in phase.results.errors.items():
            lines.append(f"- {phase.name} error ×{count}: {error}")
    return "\n".join(lines)


def serialisable(outcome: dict) -> dict:
    out = dict(outcome)
    out["phases"] = []
    for phase in outcome["phases"]:
        r = phase.results
        out["phases"].append(
            {
                "name": phase.name,
                "completed": r.completed,
                "errors": dict(r.errors),
                "wall_seconds": r.wall_seconds,
                "generator_cpu_seconds": r.generator_cpu_seconds,
                "server_cpu_seconds": phase.server_cpu_seconds,
                "mail_worker_cpu_seconds": phase.mail_worker_cpu_seconds,
                "postgres_cpu_seconds": phase.postgres_cpu_seconds,
                "postgres_cpu_by_role": phase.postgres_cpu_by_role,
                "new_workers": len(phase.workers_seen),
                "core_busy_seconds": phase.core_busy_seconds,
                "server_counters": dataclasses.asdict(phase.server),
                "server_core_seconds": phase.server_core,
                "latency_ms": {
                    step: {
                        q: loadgen.percentile(v, f) * 1000
                        for q, f in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
                    }
                    for step, v in r.latencies.items()
                },
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", action="append", choices=["sqlite", "postgres"], help="repeatable; default both"
    )
    parser.add_argument("--workers", type=int, default=2, help="web workers (default 2)")
    parser.add_argument(
        "--server", choices=["gunicorn", "granian"], default="gunicorn",
        help="`frukost serve --server`: gunicorn (the default, as in production) or granian",
    )  # fmt: skip
    parser.add_argument(
        "--server-arg", action="append", default=[],
        help="repeatable: one more option for `frukost serve`",
    )  # fmt: skip
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--registrations", type=int, default=3000, help="complete registrations to measure")
    parser.add_argument("--pages", type=int, default=5000, help="event page requests to measure")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured registrations and pages first")
    parser.add_argument(
        "--baseline-pages", type=int, default=2000, help="requests for a static page (0: skip)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=10, help="the form fill's random seed (default 10)")
    parser.add_argument(
        "--pg-database",
        default=f"frukost_bench_{os.getpid()}",
        help="scratch database, created and dropped (dropped first if it exists: never name one that "
        "is in use; the default is this run's own)",
    )
    parser.add_argument(
        "--pg-admin-url", default=POSTGRES_ADMIN_URL,
        help="a superuser's URL without a database name (default the shared server on 5432)",
    )  # fmt: skip
    parser.add_argument(
        "--pg-own-cpu", action="store_true",
        help="count only the CPU of the cluster behind --pg-admin-url (its postmaster's processes), "
        "not every postgres process on the machine: exact on a private cluster",
    )  # fmt: skip
    parser.add_argument(
        "--pg-statements",
        type=Path,
        help="write pg_stat_statements per phase into this directory (the cluster must preload it), "
        "with each table's row traffic, commits and WAL (tables-*.txt); with --pg-own-cpu also "
        "PostgreSQL's CPU by role (web, worker, walwriter, autovacuum …) in the report",
    )
    parser.add_argument("--no-mail-worker", dest="mail_worker", action="store_false")
    parser.add_argument(
        "--mail-worker-nice",
        type=int,
        default=0,
        help="run the mail worker at this niceness (docs/deploy.md's unit: Nice=10); default 0",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--settings", help="experiments only: a settings module overriding frukost.settings")
    parser.add_argument("--pythonpath", default="", help="experiments only: where --settings is found")
    parser.add_argument("--py-spy", help="path to py-spy: profile the server during each phase")
    parser.add_argument("--profile-dir", type=Path, default=Path("benchmarks/results/profiles"))
    parser.add_argument(
        "--wait-quiet", type=float, default=0, help="wait up to this many seconds for an idle machine"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch data directory")
    args = parser.parse_args()
    pin_self_to_generator_core()
    print(
        f"# {platform.node()}: {os.cpu_count()} cores, {procstats.interpreter()}, "
        f"server on core {SERVER_CORE}, generator on core {GENERATOR_CORE}\n",
        flush=True,
    )
    outcomes = []
    for database in args.db or ["sqlite", "postgres"]:
        args.current_db = database
        if args.wait_quiet:
            wait_for_quiet_machine(args.wait_quiet)
        outcome = bench(database, args)
        outcomes.append(outcome)
        print(report(outcome, args) + "\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps([serialisable(o) for o in outcomes], indent=2, default=str))


if __name__ == "__main__":
    main()
