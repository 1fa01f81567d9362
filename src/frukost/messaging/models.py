from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.events.models import Event
from frukost.messaging.enums import Audience


class Announcement(models.Model):
    """An organiser's message to the attendees of one event, sent through the outbox.

    One outbox message per recipient (kind ANNOUNCEMENT, `batch_id` = this id, linked to the
    registration), so the history shows who got what. The text is plain: paragraphs separated
    by blank lines. The English text, if given, goes to recipients whose language is English;
    otherwise everyone gets the Swedish text inside a frame in their own language.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("event")
    )
    audience = models.CharField(_("recipients"), max_length=32, choices=Audience, default=Audience.ALL)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    subject_en = models.CharField(_("subject in English"), max_length=150, blank=True)
    body_en = models.TextField(_("message in English"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    # The confirmation form's one-time key: a double-clicked "Send" sends once.
    send_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message to attendees")
        verbose_name_plural = _("messages to attendees")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en and self.body_en)
