"""How many registrations the public form takes from one client, one address and for one event.

Two statements per valid form (frukost.core.ratelimit): the client's IP and every address named
in the form first; only if those pass, the event's counter. So a client that is already refused
cannot use up the event's allowance and lock everyone else out. Forms with errors are not
counted: a family correcting a typo is not an attack, and such a form saves nothing.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from django.conf import settings

from frukost.core import ratelimit

logger = logging.getLogger("frukost.ratelimit")


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

    Logs which limit was reached, with the event's id and never the address.
    """
    window = settings.FRUKOST_RATELIMIT_WINDOW_SECONDS
    ip_key = f"ip:{_network(client_ip(request))}"
    email_keys = [f"email:{address}" for address in dict.fromkeys(emails)]
    totals = ratelimit.count([(ip_key, people), *[(key, 1) for key in email_keys]], window=window)
    if totals[ip_key] > settings.FRUKOST_RATELIMIT_PER_IP:
        logger.warning("registration refused: too many from one client (event %s)", event_id)
        return False
    if any(totals[key] > settings.FRUKOST_RATELIMIT_PER_EMAIL for key in email_keys):
        logger.warning("registration refused: one address sent too often (event %s)", event_id)
        return False
    event_key = f"event:{event_id}"
    event_total = ratelimit.count([(event_key, people)], window=window)[event_key]
    if event_total > settings.FRUKOST_RATELIMIT_PER_EVENT:
        logger.warning("registration refused: too many for the event just now (event %s)", event_id)
        return False
    return True
