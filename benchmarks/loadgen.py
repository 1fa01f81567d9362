"""The load generator: a small asyncio HTTP/1.1 client and the two scenarios.

asyncio rather than threads: with 32 threads the GIL's switch interval (5 ms) would show up
in the measured latencies. Every request opens a new connection, as gunicorn's sync workers
close the connection after each response anyway. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field

HOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 30
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def cookies(self) -> dict[str, str]:
        jar = {}
        for key, value in self.headers:
            if key == "set-cookie":
                pair = value.split(";", 1)[0]
                cookie_name, _, cookie_value = pair.partition("=")
                jar[cookie_name.strip()] = cookie_value.strip()
        return jar


def _dechunk(body: bytes) -> bytes:
    out, rest = bytearray(), body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


async def request(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    client_ip: str | None = None,
) -> Response:
    """One request on a fresh connection; reads the whole response.

    `client_ip` is sent as X-Forwarded-For, as the reverse proxy in front of frukost does in
    production (the server runs with FRUKOST_BEHIND_PROXY=1): each visitor is a client of their
    own, so the per-client rate limits apply as they would to real visitors.
    """
    body = urllib.parse.urlencode(form).encode() if form is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Connection: close",
        "User-Agent: frukost-benchmark",
        "Accept: text/html",
    ]
    if client_ip:
        lines.append(f"X-Forwarded-For: {client_ip}")
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if form is not None:
        lines += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            f"Origin: http://{HOST}:{port}",
            f"Referer: http://{HOST}:{port}{path}",
        ]
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        raw = await reader.read(-1)  # the server closes the connection after the response
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in header_lines:
        key, _, value = line.partition(":")
        headers.append((key.strip().lower(), value.strip()))
    response = Response(status=int(status_line.split()[1]), headers=headers, body=payload)
    if (response.header("transfer-encoding") or "").lower() == "chunked":
        response.body = _dechunk(payload)
    return response


class UnexpectedResponse(Exception):
    pass


@dataclass
class Results:
    """Latencies in seconds per step, error counts, and the phase's wall time."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    completed: int = 0
    wall_seconds: float = 0.0
    generator_cpu_seconds: float = 0.0

    async def timed(self, step: str, coroutine):
        start = time.perf_counter()
        response = await asyncio.wait_for(coroutine, REQUEST_TIMEOUT_SECONDS)
        self.latencies[step].append(time.perf_counter() - start)
        return response


def visitor_ip(email: str) -> str:
    """A client address of the visitor's own, from 10.0.0.0/8 (stable per address)."""
    number = int.from_bytes(hashlib.blake2s(email.encode(), digest_size=3).digest(), "big")
    return f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"


def registration_form(token: str, email: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": email,
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "membership": "member",
        "website": "",
    }


async def complete_registration(port: int, event_path: str, email: str, results: Results) -> None:
    """What a new visitor does: open the event page, send the form, land on the thank-you page."""
    flow_start = time.perf_counter()
    ip = visitor_ip(email)
    page = await results.timed("GET event page", request(port, "GET", event_path, client_ip=ip))
    match = CSRF_INPUT.search(page.body)
    if page.status != 200 or match is None:
        raise UnexpectedResponse(f"event page: {page.status}, form present: {match is not None}")
    cookies = page.cookies()
    posted = await results.timed(
        "POST form",
        request(
            port,
            "POST",
            event_path,
            cookies=cookies,
            form=registration_form(match.group(1).decode(), email),
            client_ip=ip,
        ),
    )
    location = posted.header("location") or ""
    if posted.status != 302 or not location.endswith("/tack/"):
        raise UnexpectedResponse(f"form: {posted.status} {location!r} {posted.body[:300]!r}")
    cookies.update(posted.cookies())
    thanks = await results.timed(
        "GET thank-you page", request(port, "GET", location, cookies=cookies, client_ip=ip)
    )
    if thanks.status != 200:
        raise UnexpectedResponse(f"thank-you page: {thanks.status} {thanks.header('location')!r}")
    results.latencies["complete registration (3 requests)"].append(time.perf_counter() - flow_start)


async def event_page(port: int, event_path: str, results: Results) -> None:
    page = await results.timed("GET event page", request(port, "GET", event_path))
    if page.status != 200 or CSRF_INPUT.search(page.body) is None:
        raise UnexpectedResponse(f"event page: {page.status}")


async def simple_page(port: int, path: str, results: Results) -> None:
    page = await results.timed(f"GET {path}", request(port, "GET", path))
    if page.status != 200:
        raise UnexpectedResponse(f"{path}: {page.status}")


async def run(total: int, clients: int, make_task) -> Results:
    """Run `total` iterations of make_task(i, results) with `clients` running at once."""
    results = Results()
    counter = iter(range(total))

    async def client() -> None:
        for i in counter:
            try:
                await make_task(i, results)
                results.completed += 1
            except (UnexpectedResponse, OSError, TimeoutError) as exc:
                results.errors[type(exc).__name__ + ": " + str(exc)[:120]] += 1

    cpu_start, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    results.wall_seconds = time.perf_counter() - start
    results.generator_cpu_seconds = time.process_time() - cpu_start
    return results


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
