"""Read-only questions about announcements: the history and who got what."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from frukost.events.models import Event
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.messaging.models import Announcement


@dataclass
class Delivery:
    """How far the outbox has got with one announcement's messages."""

    queued: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed


@dataclass
class HistoryRow:
    announcement: Announcement
    delivery: Delivery = field(default_factory=Delivery)


def announcement_history(event: Event) -> list[HistoryRow]:
    """The event's announcements, newest first, with delivery counts (two queries in all)."""
    announcements = list(Announcement.objects.filter(event=event).select_related("created_by"))
    rows = {a.pk: HistoryRow(announcement=a) for a in announcements}
    counts = (
        OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT, batch_id__in=list(rows))
        .values("batch_id", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for item in counts:
        delivery = rows[item["batch_id"]].delivery
        if item["status"] == MessageStatus.SENT:
            delivery.sent += item["count"]
        elif item["status"] == MessageStatus.FAILED:
            delivery.failed += item["count"]
        else:  # queued or being sent right now
            delivery.queued += item["count"]
    return list(rows.values())


def announcement_messages(announcement: Announcement) -> QuerySet[OutboxMessage]:
    """One outbox message per recipient, with the registration it went to, by name."""
    return (
        OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT, batch_id=announcement.pk)
        .select_related("registration")
        .order_by("registration__last_name", "registration__first_name", "to", "id")
    )
