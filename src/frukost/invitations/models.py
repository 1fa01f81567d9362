"""Invitation lists: the people an organisation invites to an event (or to a series' events).

An InvitationList is one import (a member register's export, or the organisation's consenting
contacts) with the invitation mail written for it and the reminder to those who have not answered.
An Invitee is one person on it; what happened to them is recorded as times (invited, opened the
invitation link, registered, declined, reminded, unsubscribed), from which the funnel is counted.
An InvitationLink is the hash of a token minted as an invitation mail is handed over (like
registrations.PersonalLink): the outbox never holds a usable link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.core.emails import normalise_email
from frukost.events.models import Event, Organisation, Series
from frukost.invitations.enums import LinkPurpose, ListSource
from frukost.registrations.enums import Language, Membership


class InvitationList(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitation_lists",
        verbose_name=_("organisation"),
    )
    # One of the two: a list for one event, or for the events of a series (the invitation then
    # names each and the invitee picks one).
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation_lists",
        verbose_name=_("event"),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation_lists",
        verbose_name=_("series"),
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=ListSource, default=ListSource.FILE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("imported by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    # The invitation mail, written and previewed by the organiser (empty until then).
    subject = models.CharField(_("subject"), max_length=150, blank=True)
    body = models.TextField(_("message"), max_length=5000, blank=True)
    subject_en = models.CharField(_("subject in English"), max_length=150, blank=True)
    body_en = models.TextField(_("message in English"), max_length=5000, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("sent by"),
    )  # fmt: skip
    # The confirmation form's one-time key: a double-clicked "Send" sends once.
    send_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    # The reminder to those who have not answered: N days before the registration deadline, at
    # the reminder hour in Stockholm; 0 turns it off.
    reminder_days_before_deadline = models.PositiveSmallIntegerField(
        _("remind those who have not answered, days before the deadline"), default=3
    )
    reminder_subject = models.CharField(_("reminder subject"), max_length=150, blank=True)
    reminder_body = models.TextField(_("reminder message"), max_length=5000, blank=True)
    reminder_subject_en = models.CharField(_("reminder subject in English"), max_length=150, blank=True)
    reminder_body_en = models.TextField(_("reminder message in English"), max_length=5000, blank=True)
    reminders_sent_at = models.DateTimeField(_("reminders sent"), null=True, blank=True)

    # What privacy.retention (and a person's own erasure) took away, kept as counts so the funnel
    # stays right: every figure of the list is the `erased_*` count + what its invitees still show.
    # The membership values go `retain_membership_days` after the (last) event, the invitees
    # themselves `retain_identity_months` after it, with their links (see docs/privacy.md).
    membership_erased_at = models.DateTimeField(_("membership values erased"), null=True, blank=True)
    invitees_erased_at = models.DateTimeField(_("invitees erased"), null=True, blank=True)
    erased_invitees = models.PositiveIntegerField(_("erased invitees"), default=0)
    erased_invited = models.PositiveIntegerField(_("erased invitees who were invited"), default=0)
    erased_opened = models.PositiveIntegerField(_("erased invitees who opened the invitation"), default=0)
    erased_registered = models.PositiveIntegerField(
        _("erased invitees who registered with a seat"), default=0
    )
    erased_waitlisted = models.PositiveIntegerField(_("erased invitees on the waiting list"), default=0)
    erased_declined = models.PositiveIntegerField(_("erased invitees who declined"), default=0)
    erased_reminded = models.PositiveIntegerField(_("erased invitees who were reminded"), default=0)
    erased_unsubscribed = models.PositiveIntegerField(_("erased invitees who unsubscribed"), default=0)
    erased_came = models.PositiveIntegerField(_("erased invitees who came"), default=0)

    class Meta:
        verbose_name = _("invitation list")
        verbose_name_plural = _("invitation lists")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(event__isnull=False) & Q(series__isnull=True))
                | (Q(event__isnull=True) & Q(series__isnull=False)),
                name="invitation_list_event_or_series",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_english(self) -> bool:
        return bool(self.subject_en and self.body_en)


class Invitee(models.Model):
    invitation_list = models.ForeignKey(
        InvitationList, on_delete=models.CASCADE, related_name="invitees", verbose_name=_("invitation list")
    )
    # Stored normalised; one row per list and address (a constraint; the import also finds the
    # address on the event's other lists and shows it as already invited).
    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    # From the member register when the organiser mapped that column: special-category data
    # (GDPR art. 9), shown only to roles with VIEW_SPECIAL_CATEGORY and erased with the list.
    membership = models.CharField(_("member"), max_length=12, choices=Membership, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.SWEDISH)
    # The line of the imported file the person came from (for the organiser's questions).
    line_number = models.PositiveIntegerField(_("line in the file"), null=True, blank=True)

    invited_at = models.DateTimeField(_("invitation queued"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened the invitation"), null=True, blank=True)
    # The registration made through the invitation, or found for the address at the event (a plain
    # link: SET_NULL, so the registration's erasure leaves the funnel's count).
    registration = models.ForeignKey(
        "registrations.Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registration"),
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation_list", "email"], name="invitee_one_per_list_and_address"
            ),
        ]
        indexes = [models.Index(fields=["email"], name="invitee_email")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>".strip()

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class InvitationLink(models.Model):
    """The hash of a token in an invitation mail (minted at hand-over, see mail.renderers)."""

    invitee = models.ForeignKey(Invitee, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=12, choices=LinkPurpose)
    token_hash = models.CharField(max_length=64, unique=True)
    # The outbox message it was minted for (a plain id: mail knows nothing of invitations).
    message_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.purpose} link for invitee {self.invitee_id}"
