"""After the event: the thank-you and "sorry we missed you" mails, and the feedback people give.

A FollowUp is one send (like messaging.Announcement): the text as it was sent, one outbox message
per recipient (`batch_id` = its id). FollowUpRecipient is the rule "at most once per person and
kind", kept by the database; it holds ids only, so it survives the registration's anonymisation
(as a check-in does). Feedback is what a person answered through the link in their thank-you.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.events.models import Event
from frukost.followup.enums import FollowUpKind


class FollowUp(models.Model):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=FollowUpKind)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    subject_en = models.CharField(_("subject in English"), max_length=150, blank=True)
    body_en = models.TextField(_("message in English"), max_length=5000, blank=True)
    # For the no-shows: links and text from the event (the slides, the host's reading list).
    material = models.TextField(_("material"), max_length=3000, blank=True)
    material_en = models.TextField(_("material in English"), max_length=3000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("sent by"),
    )  # fmt: skip
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    # Walk-ins registered at the door without an address: counted, never mailed.
    without_address = models.PositiveIntegerField(_("without an e-mail address"), default=0)
    # The confirmation form's one-time key: a double-clicked "Send" sends once.
    send_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follow-up mail")
        verbose_name_plural = _("follow-up mails")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en and self.body_en)


class FollowUpRecipient(models.Model):
    """One person got one kind of follow-up: a second send of that kind passes them by."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="recipients")
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, related_name="follow_ups_received"
    )
    kind = models.CharField(max_length=8, choices=FollowUpKind)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "kind"], name="followup_once_per_person_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to registration {self.registration_id}"


class Feedback(models.Model):
    """One person's feedback on one event (sending the form again updates it).

    When the registration is anonymised (retention) the feedback stays as the event's feedback,
    rating and texts included, but nothing ties it to a name any more (the registration row has
    none) and the contact answer and its wording are blanked (the lead, if any, is contacts'
    business). A person's own erasure request deletes it (frukost.privacy.selfservice).
    `contact_consent` is None when the person was not asked (a member, or membership unknown).
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("event")
    )
    registration = models.OneToOneField(
        "registrations.Registration", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="feedback", verbose_name=_("registration"),
    )  # fmt: skip
    rating = models.PositiveSmallIntegerField(_("rating"))
    most_useful = models.TextField(_("most useful"), max_length=1000, blank=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    show_name = models.BooleanField(_("name may be shown with the comment"), default=False)
    contact_consent = models.BooleanField(_("may be contacted"), null=True, blank=True)
    # The exact words beside the box, in the language shown, and when the person answered.
    contact_consent_text = models.TextField(_("the text the person was shown"), blank=True)
    contact_answered_at = models.DateTimeField(_("answered the contact question"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, default="sv")
    created_at = models.DateTimeField(_("given"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["event", "created_at"], name="feedback_event_created")]

    def __str__(self) -> str:
        return f"feedback {self.rating} on event {self.event_id}"

    @property
    def shown_name(self) -> str:
        """The name to show with the comments: only if the person agreed and still has one."""
        registration = self.registration
        if not self.show_name or registration is None or registration.anonymised_at is not None:
            return ""
        return registration.full_name.strip()
