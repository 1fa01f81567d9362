"""Memory of a gunicorn web worker after warm-up: RSS, PSS and USS, from /proc.

    .venv/bin/python benchmarks/worker_memory.py                 # frukost serve as in production
    GUNICORN_CMD_ARGS=--preload .venv/bin/python benchmarks/worker_memory.py   # to compare

Makes a scratch data directory (SQLite), migrates, seeds the demo, starts `frukost serve
--workers 2` (DEBUG off), then sends each worker's share of public traffic: event list, event
page, registrations (GET, POST, thank-you), the accessibility page. Then it reads, for the master
and each worker, VmRSS and VmHWM from /proc/<pid>/status and Pss and Private_* (USS) from
/proc/<pid>/smaps_rollup. RSS counts pages shared with the master (copy-on-write after a
preload, the Python binary, shared libraries) in every process; PSS divides shared pages among
the processes that share them, so the sum of PSS is what the machine really spends.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
FRUKOST = str(Path(PYTHON).with_name("frukost"))


def proc_fields(pid: int) -> dict[str, float]:
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            name, value = line.split(":")
            values[name] = int(value.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        if name in ("Pss", "Private_Clean", "Private_Dirty"):
            values[name] = int(value.split()[0]) / 1024
    values["USS"] = values.pop("Private_Clean") + values.pop("Private_Dirty")
    return values


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def register(port: int, path: str, n: int) -> None:
    response, page = request(port, "GET", path)
    assert response.status == 200, response.status
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = {
        "csrfmiddlewaretoken": token,
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": f"memory-{n}-{secrets.token_hex(3)}@example.se",
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "membership": "member",
    }
    if n % 3 == 0:
        form["diets"] = "gluten"
        form["other_needs"] = "Teleslinga"
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
        "Referer": f"http://127.0.0.1:{port}{path}",
    }
    response, _ = request(port, "POST", path, urllib.parse.urlencode(form, doseq=True), headers)
    assert response.status == 302, response.status
    done = response.getheader("Set-Cookie").split(";")[0]
    response, _ = request(port, "GET", path + "tack/", headers={"Cookie": f"{cookie}; {done}"})
    assert response.status == 200, response.status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--rounds", type=int, default=200, help="warm-up rounds (pages + a registration)")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="frukost-memory-")
    env = {
        **os.environ,
        "FRUKOST_DATA_DIR": scratch.name,
        "FRUKOST_SECRET_KEY": secrets.token_urlsafe(50),
        "FRUKOST_ALLOWED_HOSTS": "127.0.0.1",
        "FRUKOST_SECURE_COOKIES": "0",
        "FRUKOST_RATELIMIT_PER_IP": "1000000",
        "FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY": "1000000",
        "FRUKOST_RATELIMIT_PER_EVENT": "1000000",
    }
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([FRUKOST, "migrate"], **quiet)
    subprocess.run([FRUKOST, "seed_demo"], **quiet)
    set_up = (
        "from frukost.events.models import Event; Event.objects.update(capacity=10**6); "
        "print(Event.objects.get(slug='chefsfrukost-leda-med-tillit').get_absolute_url())"
    )
    event_path = subprocess.run(
        [FRUKOST, "shell", "-c", set_up], env=env, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    server = subprocess.Popen(  # noqa: S603 - our own command
        [FRUKOST, "serve", "--workers", "2", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                response, page = request(args.port, "GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        paths = sorted(set(re.findall(rb'href="(/[a-z0-9-]+/[a-z0-9-]+/)"', page)))
        for n in range(args.rounds):
            for path in ("/", event_path, "/tillganglighet/", *(p.decode() for p in paths[:2])):
                request(args.port, "GET", path)
            register(args.port, event_path, n)
        master = server.pid
        workers = children(master)
        print(
            f"gunicorn {os.environ.get('GUNICORN_CMD_ARGS', '(no extra arguments)')}, 2 workers, "
            f"after {args.rounds} warm-up rounds; MiB"
        )
        print(f"{'process':<10} {'VmRSS':>7} {'VmHWM':>7} {'PSS':>7} {'USS':>7}")
        for name, pid in [("master", master), *((f"worker {i}", pid) for i, pid in enumerate(workers, 1))]:
            v = proc_fields(pid)
            print(f"{name:<10} {v['VmRSS']:7.1f} {v['VmHWM']:7.1f} {v['Pss']:7.1f} {v['USS']:7.1f}")
        total = sum(proc_fields(pid)["Pss"] for pid in [master, *workers])
        print(f"{'sum of PSS':<10} {total:7.1f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
