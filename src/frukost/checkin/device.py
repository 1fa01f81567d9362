"""What a door device holds to keep working offline: the event's door list, in one query.

Per person: id, name, a folded search name, workplace, whose colleague, seat or queue,
confirmed, check-in time, book, and a **code key** so that a code typed or scanned offline finds
its person. Never membership, diets or needs: `.only()` keeps those columns out of the query itself.

Why a key and not the code: door staff can already check anyone in by name, so giving the device
a way to match codes grants nothing new; still, the device's copy (localStorage on a phone that
may be lost) should not hold codes someone could read out at the door. The key is the first 32
bits of SHA-256(event salt + code), computed on the device with WebCrypto. The salt is per event
(derived from SECRET_KEY), so keys cannot be compared across events; and 32 bits of a ~40-bit
code leave about 200 codes per key, so even a brute-forced key does not say which code is the
person's. A mistyped code matching someone else by chance is about 1 in 4 million at 1,000 people
(and is a tap on the right name's button in effect: the device shows the name it found). The
full code hash (PersonalLink) is never sent: unsalted, it would identify the code.

Only codes that were issued (their PersonalLink exists) get a key, so a code revoked by erasure
is as dead offline as online.
"""

from __future__ import annotations

import hashlib

from django.db.models import Exists, OuterRef
from django.utils.crypto import salted_hmac

from frukost.checkin import codes
from frukost.checkin.models import CheckIn
from frukost.registrations import queries
from frukost.registrations.enums import ACTIVE_STATUSES, LinkPurpose
from frukost.registrations.models import PersonalLink, Registration

KEY_HEX_DIGITS = 8  # 32 bits


def device_salt(event) -> str:
    return salted_hmac("frukost.checkin.device", str(event.pk), algorithm="sha256").hexdigest()[:32]


def code_key(salt: str, code: str) -> str:
    """What door.js computes for a typed code: hex SHA-256 of "salt:CODE8", first 8 digits."""
    return hashlib.sha256(f"{salt}:{codes.normalise(code)}".encode()).hexdigest()[:KEY_HEX_DIGITS]


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def door_list_for_device(event) -> dict:
    """The door list as JSON-ready data, everyone with a seat or on the waiting list. One query."""
    issued = PersonalLink.objects.filter(registration=OuterRef("pk"), purpose=LinkPurpose.CHECKIN)
    rows = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .select_related("check_in", "invited_by")
        .only(
            "invited_by__first_name",
            "invited_by__last_name",
            "first_name",
            "last_name",
            "workplace",
            "status",
            "confirmed_at",
            "anonymised_at",
            "check_in__checked_in_at",
            "check_in__book_handed_at",
        )
        .annotate(has_code=Exists(issued))
        .order_by("last_name", "first_name", "id")
    )
    salt = device_salt(event)
    people = []
    for person in rows:
        try:
            arrival: CheckIn | None = person.check_in
        except CheckIn.DoesNotExist:
            arrival = None
        usable = person.has_code and person.anonymised_at is None
        people.append(
            {
                "id": person.pk,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "search": queries.folded(f"{person.first_name} {person.last_name}"),
                "workplace": person.workplace,
                "colleague_of": person.invited_by.full_name if person.invited_by else "",
                "status": person.status,
                "confirmed": person.confirmed_at is not None,
                "checked_in_at": _iso(arrival.checked_in_at) if arrival else None,
                "book_handed_at": _iso(arrival.book_handed_at) if arrival else None,
                "key": code_key(salt, codes.code_for(person)) if usable else None,
            }
        )
    return {"event": event.pk, "salt": salt, "people": people}
