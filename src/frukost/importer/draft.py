"""What the importer found in an invitation: an event draft for a person to check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EventDraft:
    """Facts read from an invitation text. None (or empty) means "not found", never a guess."""

    title: str | None = None
    host_name: str | None = None
    host_role: str | None = None
    lead: str = ""
    body: str = ""
    questions: list[str] = field(default_factory=list)
    gift: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    doors_at: dt.datetime | None = None
    venue_name: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    online: bool = False
    online_url: str | None = None
    registration_deadline: dt.date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The flat, JSON-ready form `frukost import-invitation --json` prints."""

        def stamp(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "title": self.title,
            "host_name": self.host_name,
            "host_role": self.host_role,
            "starts_at": stamp(self.starts_at),
            "ends_at": stamp(self.ends_at),
            "doors_at": stamp(self.doors_at),
            "venue_name": self.venue_name,
            "street_address": self.street_address,
            "postal_code": self.postal_code,
            "city": self.city,
            "online": self.online,
            "registration_deadline": (
                self.registration_deadline.isoformat() if self.registration_deadline else None
            ),
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
            "warnings": list(self.warnings),
        }
