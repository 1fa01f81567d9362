"""Memory of a gunicorn web worker after warm-up: RSS, PSS and USS, from /proc.

    .venv/bin/python benchmarks/worker_memory.py                 # frukost serve as in production
    .venv/bin/python benchmarks/worker_memory.py --db postgres   # a scratch database, dropped after
    .venv/bin/python benchmarks/worker_memory.py --workers 1 --backoffice   # + the back office once
    GUNICORN_CMD_ARGS=--preload .venv/bin/python benchmarks/worker_memory.py   # to compare

Makes a scratch data directory (SQLite, or a scratch PostgreSQL database next to
postgres://postgres@127.0.0.1:5432), migrates, seeds the demo, starts `frukost serve --workers 2`
(DEBUG off), then sends each worker's share of public traffic: event list, event page,
registrations (GET, POST, thank-you), the personal page and both .ics downloads, the
accessibility page. With --backoffice an owner with an authenticator then signs in (password,
code) and opens the back office's event list, a few times, so each worker serves it at least
once (with --workers 1, surely). Then it reads, for the master
and each worker, VmRSS and VmHWM from /proc/<pid>/status and Pss and Private_* (USS) from
/proc/<pid>/smaps_rollup. RSS counts pages shared with the master (copy-on-write after a
preload, the Python binary, shared libraries) in every process; PSS divides shared pages among
the processes that share them, so the sum of PSS is what the machine really spends.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import os
import re
import secrets
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"
OWNER_EMAIL = "minne@example.se"
OWNER_PASSWORD = secrets.token_urlsafe(12)
TOTP_SECRET = base64.b32encode(secrets.token_bytes(10)).decode()
SET_UP = """
from allauth.mfa.totp.internal.auth import TOTP
from frukost.accounts.services import add_member, create_person
from frukost.events.models import Event
from frukost.registrations.links import issue_link
from frukost.registrations.services import PersonData, register
Event.objects.update(capacity=10**6)
event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
owner = create_person(email="OWNER_EMAIL", password="OWNER_PASSWORD")
add_member(organisation=event.organisation, user=owner, role="owner")
TOTP.activate(owner, "TOTP_SECRET")
person = PersonData(first_name="Bo", last_name="Ek", email="bo@example.se")
registration = register(event=event, person=person).registration
print(event.get_absolute_url(), issue_link(registration), event.organisation.slug)
"""
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


def totp_code() -> str:
    """The current six-digit code (RFC 6238: SHA-1, 30 s), as an authenticator app shows it."""
    left = 30 - time.time() % 30
    if left < 3:  # about to change: wait for the next one, as a person would
        time.sleep(left + 0.1)
    digest = hmac.new(base64.b32decode(TOTP_SECRET), struct.pack(">Q", int(time.time() // 30)), hashlib.sha1)
    value = digest.digest()
    offset = value[-1] & 0x0F
    return f"{(struct.unpack('>I', value[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def form_post(port, path, cookies: dict[str, str], fields: dict[str, str]):
    """GET a form, POST it with its CSRF token; the response of the POST."""
    response, page = request(port, "GET", path, headers={"Cookie": cookie_header(cookies)})
    cookies.update(new_cookies(response))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    headers = {
        "Cookie": cookie_header(cookies),
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
        "Referer": f"http://127.0.0.1:{port}{path}",
    }
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields})
    response, _ = request(port, "POST", path, body, headers)
    cookies.update(new_cookies(response))
    return response


def new_cookies(response) -> dict[str, str]:
    pairs = (header.split(";")[0].split("=", 1) for header in response.headers.get_all("Set-Cookie") or [])
    return dict(pairs)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def back_office(port: int, organisation: str, views: int) -> None:
    """Sign in (password, then the authenticator's code) and open the event list `views` times.

    One sign-in: an authenticator's code is accepted once (allauth refuses it again); the event
    list is asked for on new connections, so with several workers each is likely to serve it.
    """
    cookies: dict[str, str] = {}
    response = form_post(port, "/konto/login/", cookies, {"login": OWNER_EMAIL, "password": OWNER_PASSWORD})
    assert response.status == 302, response.status
    second = response.getheader("Location")
    assert second == "/konto/2fa/authenticate/", second
    response = form_post(port, second, cookies, {"code": totp_code()})
    assert response.status == 302, response.status
    for _ in range(views):
        response, _ = request(
            port, "GET", f"/backoffice/{organisation}/", headers={"Cookie": cookie_header(cookies)}
        )
        assert response.status == 200, response.status  # the event list


def wait_for_mail(mail_dir: Path, expected: int, timeout: float = 300) -> int:
    """Wait until the worker has written `expected` messages (or stopped writing); how many it wrote."""
    deadline = time.monotonic() + timeout
    count, last_change, last = 0, time.monotonic(), -1
    while time.monotonic() < deadline:
        count = sum(1 for _ in mail_dir.rglob("*.eml")) if mail_dir.exists() else 0
        if count >= expected:
            break
        if count != last:
            last, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > 20:
            break
        time.sleep(0.5)
    return count


def psql(sql: str) -> None:
    subprocess.run(["psql", POSTGRES_ADMIN_URL + "/postgres", "-q", "-c", sql], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--rounds", type=int, default=200, help="warm-up rounds (pages + a registration)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-database", default="frukost_worker_memory", help="created and dropped")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backoffice", action="store_true", help="then sign in and open the event list")
    parser.add_argument("--mail-worker", action="store_true", help="run `frukost worker` beside, read it too")
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
    for name in ("FRUKOST_DEBUG", "FRUKOST_TESTING", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        env.pop(name, None)
    if args.db == "postgres":
        psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)")
        psql(f"CREATE DATABASE {args.pg_database}")
        env["DATABASE_URL"] = f"{POSTGRES_ADMIN_URL}/{args.pg_database}"
    try:
        run(args, env)
    finally:
        if args.db == "postgres":
            psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)")
        scratch.cleanup()


def run(args, env: dict[str, str]) -> None:
    quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([FRUKOST, "migrate"], **quiet)
    subprocess.run([FRUKOST, "seed_demo"], **quiet)
    set_up = SET_UP.replace("OWNER_EMAIL", OWNER_EMAIL).replace("OWNER_PASSWORD", OWNER_PASSWORD)
    set_up = set_up.replace("TOTP_SECRET", TOTP_SECRET)
    event_path, link, organisation = subprocess.run(
        [FRUKOST, "shell", "-c", set_up], env=env, check=True, capture_output=True, text=True
    ).stdout.split()[-3:]
    personal = urllib.parse.urlsplit(link).path
    server = subprocess.Popen(  # noqa: S603 - our own command
        [FRUKOST, "serve", "--workers", str(args.workers), "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mail_worker = None
    if args.mail_worker:  # sends the registrations' confirmations (.eml files) as they come
        mail_worker = subprocess.Popen(  # noqa: S603 - our own command
            [FRUKOST, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + 180  # a loaded machine starts gunicorn slowly
        while True:
            try:
                response, page = request(args.port, "GET", "/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"frukost serve did not answer (exit code {server.poll()})") from None
                time.sleep(0.2)
        paths = sorted(set(re.findall(rb'href="(/[a-z0-9-]+/[a-z0-9-]+/)"', page)))
        pages = ("/", event_path, "/tillganglighet/", *(p.decode() for p in paths[:2]), personal)
        downloads = (event_path + "kalender.ics", personal + "kalender.ics")
        for n in range(args.rounds):
            for path in pages:
                request(args.port, "GET", path)
            if n % 5 == 0:
                for path in downloads:
                    response, _ = request(args.port, "GET", path)
                    assert response.status == 200, (path, response.status)
            register(args.port, event_path, n)
        if args.backoffice:
            back_office(args.port, organisation, views=4 * args.workers)
        master = server.pid
        workers = children(master)
        print(
            f"{args.db}, gunicorn {os.environ.get('GUNICORN_CMD_ARGS', '(no extra arguments)')}, "
            f"{args.workers} workers, after {args.rounds} warm-up rounds"
            f"{' and the back office' if args.backoffice else ''}; MiB"
        )
        print(f"{'process':<10} {'VmRSS':>7} {'VmHWM':>7} {'PSS':>7} {'USS':>7}")
        for name, pid in [("master", master), *((f"worker {i}", pid) for i, pid in enumerate(workers, 1))]:
            v = proc_fields(pid)
            print(f"{name:<10} {v['VmRSS']:7.1f} {v['VmHWM']:7.1f} {v['Pss']:7.1f} {v['USS']:7.1f}")
        total = sum(proc_fields(pid)["Pss"] for pid in [master, *workers])
        print(f"{'sum of PSS':<10} {total:7.1f}")
        if mail_worker:
            sent = wait_for_mail(Path(env["FRUKOST_DATA_DIR"]) / "mail", expected=args.rounds + 1)
            v = proc_fields(mail_worker.pid)
            print(
                f"{'mail wkr':<10} {v['VmRSS']:7.1f} {v['VmHWM']:7.1f} {v['Pss']:7.1f} {v['USS']:7.1f}"
                f"   (`frukost worker`, after sending {sent} messages)"
            )
    finally:
        if mail_worker:
            mail_worker.send_signal(signal.SIGTERM)
            mail_worker.wait(timeout=30)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
