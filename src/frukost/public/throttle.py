"""How many registrations the public form takes from one client, one address and for one event;
and how many data requests (/mina-uppgifter/) from one client.

Two counts per valid form (frukost.core.ratelimit.count_unless_over; without Redis one
statement): the client's IP (its short window and its day at this event) and every
address named in the form for this event first; only if those pass, the event's counter. So a
client that is already refused cannot use up the event's allowance and lock everyone else out.
Forms with errors are not counted: a family correcting a typo is not an attack, and such a form
saves nothing.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from django.conf import settings

from frukost.core import ratelimit

logger = logging.getLogger("frukost.ratelimit")
DAY = 24 * 3600


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind our proxy the hop the proxy added.

    Only the right-most X-Forwarded-For entry is trusted (the proxy appends the address it saw);
    anything to its left was written by the client and can be anything.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.FRUKOST_BEHIND_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if hops and hops[-1]:
            address = hops[-1]
    return address


def _network(address: str) -> str:
    """One household or office: an IPv4 address, or an IPv6 /64 (one customer's whole prefix)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def registration_allowed(request, *, event_id: int, emails: Sequence[str], people: int) -> bool:
    """Count one registration form (`people` = the registrant and their colleagues); False if over a limit.

    A post counts against the limit that refused it and against the client's own short window,
    never against the others: what it added to them is taken back (ratelimit.refund), so posts
    naming someone's address that were refused for other reasons do not lock that address out.
    The address's counter is per event. Logs which limit was reached, with the event's id and
    never the address.
    """
    window = settings.FRUKOST_RATELIMIT_WINDOW_SECONDS
    network = _network(client_ip(request))
    ip_key = f"ip:{network}"
    day_key = f"ip-event:{event_id}:{network}"
    email_keys = [f"email:{event_id}:{address}" for address in dict.fromkeys(emails)]
    email_hits = [(key, 1) for key in email_keys]
    event_key = f"event:{event_id}"
    # The event's counter only if the client's and the addresses' limits let the form through.
    totals = ratelimit.count_unless_over(
        [(ip_key, people), (day_key, people), *email_hits],
        limits={
            ip_key: settings.FRUKOST_RATELIMIT_PER_IP,
            day_key: settings.FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY,
            **dict.fromkeys(email_keys, settings.FRUKOST_RATELIMIT_PER_EMAIL),
        },
        then=(event_key, people),
        window=window,
        windows={day_key: DAY},
    )
    if totals[ip_key] > settings.FRUKOST_RATELIMIT_PER_IP:
        ratelimit.refund([(day_key, people), *email_hits], window=window)
        logger.warning("registration refused: too many from one client (event %s)", event_id)
        return False
    if totals[day_key] > settings.FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY:
        ratelimit.refund(email_hits, window=window)
        logger.warning(
            "registration refused: too many from one client for the event today (event %s)", event_id
        )
        return False
    if any(totals[key] > settings.FRUKOST_RATELIMIT_PER_EMAIL for key in email_keys):
        ratelimit.refund([(day_key, people)], window=window)
        logger.warning("registration refused: one address sent too often (event %s)", event_id)
        return False
    if totals[event_key] > settings.FRUKOST_RATELIMIT_PER_EVENT:
        ratelimit.refund([(day_key, people), *email_hits], window=window)
        logger.warning("registration refused: too many for the event just now (event %s)", event_id)
        return False
    return True


def data_request_allowed(request) -> bool:
    """Count one data-request form from this client; False over FRUKOST_RATELIMIT_DATA_REQUESTS_PER_IP
    a window (the per-address cap on the mail itself is ratelimit.may_mail, in the service)."""
    key = f"data-request:{_network(client_ip(request))}"
    total = ratelimit.count([(key, 1)], window=settings.FRUKOST_RATELIMIT_WINDOW_SECONDS)[key]
    if total > settings.FRUKOST_RATELIMIT_DATA_REQUESTS_PER_IP:
        logger.warning("data request refused: too many from one client")
        return False
    return True
