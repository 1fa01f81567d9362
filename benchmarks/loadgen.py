"""The load generator: a small asyncio HTTP/1.1 client and the two scenarios.

asyncio rather than threads: with 32 threads the GIL's switch interval (5 ms) would show up
in the measured latencies. Every request opens a new connection, as gunicorn's sync workers
close the connection after each response anyway. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
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
    form: dict[str, str] | list[tuple[str, str]] | None = None,
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
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    completed: int = 0
    wall_seconds: float = 0.0
    generator_cpu_seconds: float = 0.0

    async def timed(self, step: str, coroutine):
        start = time.perf_counter()
        try:
            response = await asyncio.wait_for(coroutine, REQUEST_TIMEOUT_SECONDS)
        except TimeoutError:
            raise TimeoutError(f"{step}: no answer within {REQUEST_TIMEOUT_SECONDS} s") from None
        self.latencies[step].append(time.perf_counter() - start)
        return response


def visitor_ip(email: str) -> str:
    """A client address of the visitor's own, from 10.0.0.0/8 (stable per address)."""
    number = int.from_bytes(hashlib.blake2s(email.encode(), digest_size=3).digest(), "big")
    return f"10.{number >> 16}.{(number >> 8) & 255}.{number & 255}"


FIELD_NAME = re.compile(rb'name="([a-z0-9_]+)"')

# Who registers for a union's breakfast seminar, roughly: answers chosen per registration by a
# random generator seeded with (seed, index), so a run is the same whatever order the clients
# reach each registration in.
FIRST_NAMES = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Åsa", "Lena", "Kerstin", "Ingrid", "Märta",
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Mikael", "Björn", "Örjan", "Anna-Karin",
    "Jan-Åke", "Sofia", "Emma", "Mohammed", "Ali", "Fatima", "Aino", "Zoë", "Lisa", "Håkan",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Öberg", "Åkesson",
    "Lindström", "Björk", "Ström", "Hassan", "Nyström-Ek", "O'Neill", "von Essen", "Söderberg",
]  # fmt: skip
WORKPLACES = [
    "Sundsvalls kommun", "Region Västernorrland", "Försäkringskassan", "Skatteverket",
    "Umeå universitet", "Mittuniversitetet", "Timrå kommun", "SCA", "Länsstyrelsen Västernorrland",
    "Arbetsförmedlingen", "Härnösands kommun", "Polismyndigheten", "Norrlandsfonden AB",
]  # fmt: skip
JOB_TITLES = [
    "Enhetschef", "Avdelningschef", "Verksamhetschef", "Rektor", "Biträdande rektor",
    "HR-chef", "Sektionschef", "Gruppchef", "Förvaltningschef", "Projektledare", "Teamledare",
]  # fmt: skip
# The diets people tick, most common first (weights): a share ticks one or two.
DIETS = [
    ("vegetarian", 30), ("gluten", 16), ("milk", 16), ("vegan", 10), ("nuts", 6), ("peanuts", 5),
    ("fish", 3), ("egg", 3), ("soy", 2), ("sesame", 2), ("celery", 1), ("mustard", 1),
    ("crustaceans", 2), ("molluscs", 1), ("lupin", 1), ("sulphites", 1),
]  # fmt: skip
DIET_OTHER = [
    "Inga lökar, tack", "Laktosfritt", "Halal", "Ingen fläskkött", "Allergisk mot kiwi",
    "Pescetarian", "Äter inte rött kött", "Lågkolhydrat, om det går",
]  # fmt: skip
OTHER_NEEDS = [
    "Jag behöver hörslinga.",
    "Jag kommer med rullstol, finns hiss?",
    "Kan behöva gå lite tidigare, kl. 9.",
    "Teckenspråkstolk, tack.\r\nJag hör av mig om detaljerna.",
    "Synskadad, kommer med ledarhund.",
    "Behöver sitta nära dörren.",
]
ANSWERS = [
    "Hur hanterar man förtroende i en organisation som växer snabbt?",
    "Chefers egen arbetsmiljö.",
    "Tillitsbaserad styrning i praktiken\r\noch hur man mäter den.",
    "Vad gör man när uppdraget och resurserna inte går ihop?",
]


@dataclass(frozen=True)
class Population:
    """The shares of registrations that fill each optional part of the form."""

    diets: float = 0.30  # one or two diet boxes (a third of them two)
    diet_other: float = 0.15
    other_needs: float = 0.10
    colleague: float = 0.20  # one colleague (the demo event allows one)
    answer: float = 0.25  # the event's own question, when it has one
    future_invitations: float = 0.40
    workplace: float = 0.95
    job_title: float = 0.85
    # membership is required: member / not a member / prefer not to say
    membership: tuple[tuple[str, int], ...] = (("member", 60), ("not_member", 30), ("undisclosed", 10))


POPULATION = Population()


def offered_fields(page_body: bytes) -> frozenset[str]:
    """The names of the inputs a form page offers."""
    return frozenset(name.decode() for name in FIELD_NAME.findall(page_body))


def registration_form(
    token: str,
    email: str,
    *,
    seed: int = 0,
    index: int = 0,
    offered: frozenset[str] | None = None,
    population: Population = POPULATION,
) -> list[tuple[str, str]]:
    """The POST body one person sends, as (name, value) pairs (a diet box is a pair of its own).

    Fills every field the form offers in the shares of `population`; the colleague, if any, gets
    an address derived from the registrant's (`colleague-<email>`), so it is unique too.
    """
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - a benchmark's population, not a secret
    offered = offered if offered is not None else frozenset()
    choices, weights = zip(*population.membership, strict=True)
    form = [
        ("csrfmiddlewaretoken", token),
        ("first_name", rng.choice(FIRST_NAMES)),
        ("last_name", rng.choice(LAST_NAMES)),
        ("email", email),
        ("workplace", rng.choice(WORKPLACES) if rng.random() < population.workplace else ""),
        ("job_title", rng.choice(JOB_TITLES) if rng.random() < population.job_title else ""),
        ("membership", rng.choices(choices, weights)[0]),
    ]
    if rng.random() < population.diets:
        names, diet_weights = zip(*DIETS, strict=True)
        picked = {rng.choices(names, diet_weights)[0] for _ in range(2 if rng.random() < 1 / 3 else 1)}
        form += [("diets", diet) for diet in sorted(picked)]
    form.append(("diet_other", rng.choice(DIET_OTHER) if rng.random() < population.diet_other else ""))
    form.append(("other_needs", rng.choice(OTHER_NEEDS) if rng.random() < population.other_needs else ""))
    if "answer" in offered:
        form.append(("answer", rng.choice(ANSWERS) if rng.random() < population.answer else ""))
    if rng.random() < population.future_invitations:
        form.append(("wants_future_invitations", "on"))  # what a browser sends for a ticked box
    bring = "colleague1_email" in offered and rng.random() < population.colleague
    for field_name, value in (
        ("colleague1_first_name", rng.choice(FIRST_NAMES)),
        ("colleague1_last_name", rng.choice(LAST_NAMES)),
        ("colleague1_email", f"colleague-{email}"),
    ):
        if field_name in offered:
            form.append((field_name, value if bring else ""))
    form.append(("website", ""))  # the honeypot, left empty as people do
    return form


def colleagues_in(form: list[tuple[str, str]]) -> int:
    return sum(1 for name, value in form if name.endswith("_email") and name != "email" and value)


async def complete_registration(
    port: int,
    event_path: str,
    email: str,
    results: Results,
    *,
    seed: int = 0,
    index: int = 0,
    client_ip: str | None = None,
    think_seconds: float = 0.0,
    on_post=None,
) -> None:
    """What a new visitor does: open the event page, fill in the form (think_seconds), send it,
    land on the thank-you page. Counts the colleagues brought in results.counters["colleagues"];
    on_post(monotonic_start, wall_start) is called when the POST is sent (for the rush)."""
    flow_start = time.perf_counter()
    ip = client_ip or visitor_ip(email)
    page = await results.timed("GET event page", request(port, "GET", event_path, client_ip=ip))
    match = CSRF_INPUT.search(page.body)
    if page.status != 200 or match is None:
        raise UnexpectedResponse(f"event page: {page.status}, form present: {match is not None}")
    cookies = page.cookies()
    form = registration_form(
        match.group(1).decode(), email, seed=seed, index=index, offered=offered_fields(page.body)
    )
    if think_seconds:
        await asyncio.sleep(think_seconds)
    if on_post:
        on_post()
    results.counters["colleagues posted"] += colleagues_in(form)
    posted = await results.timed(
        "POST form",
        request(port, "POST", event_path, cookies=cookies, form=form, client_ip=ip),
    )
    location = posted.header("location") or ""
    if posted.status != 302 or not location.endswith("/tack/"):
        raise UnexpectedResponse(f"form: {posted.status} {location!r} {posted.body[:300]!r}")
    results.counters["colleagues"] += colleagues_in(form)
    cookies.update(posted.cookies())
    thanks = await results.timed(
        "GET thank-you page", request(port, "GET", location, cookies=cookies, client_ip=ip)
    )
    if thanks.status != 200:
        raise UnexpectedResponse(f"thank-you page: {thanks.status} {thanks.header('location')!r}")
    if not think_seconds:
        results.latencies["complete registration (3 requests)"].append(time.perf_counter() - flow_start)


async def event_page(
    port: int,
    event_path: str,
    results: Results,
    *,
    client_ip: str | None = None,
    step: str = "GET event page",
) -> None:
    page = await results.timed(step, request(port, "GET", event_path, client_ip=client_ip))
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
