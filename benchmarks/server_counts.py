"""Instructions per request in one WSGI server worker, counted with callgrind (issue 10).

    taskset -c 1 .venv/bin/python benchmarks/server_counts.py --server gunicorn
    taskset -c 1 .venv/bin/python benchmarks/server_counts.py --server granian

Starts the server with one worker under `valgrind --tool=callgrind` on core 0 (the whole process,
every thread; a forked worker is followed, `--trace-children=no` as neither server execs one),
warms it up, then for each request kind zeroes the worker's counters, sends N requests one after
another from this process (core 1), and dumps the counters: the worker's instructions divided by N.
callgrind_control cannot reach a forked worker, so the zero and the dump are two requests the
worker answers itself (benchmarks/callgrind_wsgi.py); what those two cost is counted alone
("zero then dump") and subtracted. An idle interval is counted the same way. Repeatable whatever
the load: the figures do not depend on the machine's other work (PYTHONHASHSEED=0).

Both run as `frukost serve` runs them (`--server gunicorn`: a sync worker, the redacting access
log, here without recycling; `--server granian`: `--blocking-threads 1`, the redacting access log,
core.granian's time limit). SQLite, scratch data directory, cleaned up afterwards. Never part of
`make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import load
import loadgen
import procstats

from frukost.core.granian import LOGGING
from frukost.core.management.commands import serve

PYTHON = sys.executable


def server_argv(server: str, port: int, data_dir: Path) -> list[str]:
    """`frukost serve`'s command line (core/management/commands/serve.py), one worker, for the
    application in callgrind_wsgi.py; gunicorn without recycling and with time to boot under
    valgrind."""
    if server == "gunicorn":
        argv = serve.gunicorn_argv("127.0.0.1", port, 1, 0)
        argv[1:2] = ["callgrind_wsgi:application", "--timeout=600"]
    else:
        log_config = data_dir / "granian-logging.json"
        log_config.write_text(json.dumps(LOGGING))
        argv = serve.granian_argv("127.0.0.1", port, 1, log_config)
        argv[-1] = "callgrind_wsgi:granian_application"
    return [PYTHON, "-m", Path(argv[0]).name, *argv[1:]]


def summary(path: str) -> int:
    """The instruction total of one callgrind dump."""
    for line in Path(path).read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError(f"no totals in {path}")


def control(port: int, what: str) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__callgrind__/{what}", timeout=120) as response:  # noqa: S310
        assert response.status == 204


def counted(pid: int, port: int, out_dir: Path, work) -> int:
    """Instructions the worker spends on work(), between a zero and a dump of its counters.

    A zero resets only the thread that asks (granian answers in a thread of its own beside its
    Rust runtime's), a dump every thread: so a dump first, then a zero, the work, a dump."""
    control(port, "dump")
    before = set(glob.glob(str(out_dir / f"cg.{pid}.*")))
    control(port, "zero")
    work()
    control(port, "dump")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new = set(glob.glob(str(out_dir / f"cg.{pid}.*"))) - before
        if new:
            time.sleep(0.5)  # the dump is written whole before callgrind_control returns; be sure
            return summary(max(new, key=os.path.getmtime))
        time.sleep(0.2)
    raise RuntimeError("callgrind wrote no dump")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=["gunicorn", "granian"], required=True)
    parser.add_argument("--pages", type=int, default=200, help="event pages and baseline pages counted")
    parser.add_argument("--registrations", type=int, default=50, help="complete registrations counted")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--idle-seconds", type=float, default=5)
    parser.add_argument("--port", type=int, default=8860)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and the dumps")
    args = parser.parse_args()
    load.pin_self_to_generator_core()

    data_dir = Path(tempfile.mkdtemp(prefix=f"frukost-counts-{args.server}-"))
    out_dir = data_dir / "callgrind"
    out_dir.mkdir()
    env = load.server_environment(data_dir, args.port, None)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(load.ROOT / "benchmarks"), env.get("PYTHONPATH")]))
    load.manage(env, "migrate", "--no-input", "-v", "0")
    load.manage(env, "seed_demo")
    event_path = load.manage(env, "shell", "-c", load.SET_UP_EVENT).strip().splitlines()[-1]
    load.manage(env, "collectstatic", "--no-input", "-v", "0")
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        ["taskset", "-c", str(load.SERVER_CORE), "valgrind", "--tool=callgrind", "--trace-children=no",
         "--zero-before=sys_getallocatedblocks", "--dump-before=sys_getswitchinterval",
         f"--callgrind-out-file={out_dir}/cg.%p", *server_argv(args.server, args.port, data_dir)],
        env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        load.wait_until_serving(args.port, event_path, server, timeout=600)
        (worker,) = procstats.children_of(server.pid)

        def run(total, task):
            results = asyncio.run(loadgen.run(total, 1, task))
            if results.errors or results.completed != total:
                sys.exit(f"errors: {dict(results.errors)}")

        def registration(prefix):
            async def task(i, results):
                email = f"{prefix}-{i}@example.se"
                await loadgen.complete_registration(args.port, event_path, email, results, seed=10, index=i)

            return task

        async def page(i, results):
            await loadgen.event_page(args.port, event_path, results)

        async def baseline(i, results):
            await loadgen.simple_page(args.port, load.BASELINE_PATH, results)

        run(args.warmup, registration("warmup"))
        run(args.warmup, page)
        run(args.warmup, baseline)
        port = args.port
        control_cost = counted(worker, port, out_dir, lambda: None)
        idle = counted(worker, port, out_dir, lambda: time.sleep(args.idle_seconds)) - control_cost
        kinds = [
            ("event page", args.pages, page),
            ("baseline page", args.pages, baseline),
            ("complete registration (3 requests)", args.registrations, registration("bench")),
        ]
        print(f"# {args.server}: instructions in one worker under callgrind (whole process, every thread)")
        print(f"zero then dump (subtracted below): {control_cost / 1e6:.3f} M")
        print(f"idle, per second: {idle / args.idle_seconds / 1e6:.3f} M")
        for name, total, task in kinds:
            value = (counted(worker, port, out_dir, lambda: run(total, task)) - control_cost) / total  # noqa: B023
            print(f"{name}: {value / 1e6:.3f} M per request, {total} requests", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir)


if __name__ == "__main__":
    main()
