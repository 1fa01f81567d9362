from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frukost.contacts.enums import LeadKind, SuppressionReason
from frukost.core.emails import normalise_email
from frukost.events.models import Event, Organisation


class Contact(models.Model):
    """Someone who asked an organisation for invitations to future events.

    A consent of its own (GDPR art. 6(1)(a)), separate from any registration: it survives the
    registration's retention (which anonymises the Registration row, not this one) and lasts
    until the person withdraws it, which deletes the row. `consent_text` is the exact wording
    the person saw beside the box, in the language they saw it, and `consented_at` when they
    last ticked it (art. 7(1): the controller must be able to show the consent was given).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    # Stored lower-cased: one contact per organisation and address (a constraint).
    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, default="sv")

    consented_at = models.DateTimeField(_("consented"))
    consent_text = models.TextField(_("the text the person was shown"))
    source_event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consented at the registration for"),
    )
    # Never changes (consented_at does, on a repeat consent): with the id it names the row in the
    # erasure journal (core.erasure_journal), so a replay after a restore withdraws this consent
    # and not one that got the same id again.
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="contact_one_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>".strip()

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Lead(models.Model):
    """Someone who said yes, after an event, to being contacted by the organisation's local representative.

    A consent of its own (GDPR art. 6(1)(a)), given in the feedback after the event by a
    non-member attendee or a colleague brought along: without that yes there is no row (the
    service refuses one without the words the person saw). Like a Contact it is separate from the
    registration (`registration_id` is a plain number: contacts knows no registrations) and
    outlives its anonymisation; it goes when the person withdraws or erases, or on the retention
    date (FRUKOST_RETAIN_LEADS_MONTHS after `consented_at`, frukost.privacy.retention).

    Membership itself (GDPR art. 9) is not stored: `kind` says only which question the person
    answered yes to ("non-member" or "colleague brought along"), which is what they agreed the
    representative may know. `answers` is a snapshot of what they wrote in the feedback, as the
    caller passed it. `contacted_at`, `contacted_by` and `note` are the representative's follow-up.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="leads", verbose_name=_("organisation")
    )
    source_event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    # The registration the yes came with (a plain id: the row may be anonymised or gone later).
    registration_id = models.BigIntegerField(_("registration"), null=True, blank=True, db_index=True)
    # Stored normalised: one lead per organisation, event and address (a constraint).
    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, default="sv")
    kind = models.CharField(_("kind"), max_length=12, choices=LeadKind)
    # {"rating": 1-5 or None, "most_useful": "...", "comment": "..."}: what the caller passed.
    answers = models.JSONField(_("what they answered"), default=dict, blank=True)

    consented_at = models.DateTimeField(_("consented"))
    consent_text = models.TextField(_("the text the person was shown"))

    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contacted by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    # Never changes: with the id it names the row in the erasure journal (as Contact.created_at).
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        # "lead" alone is a page's lead paragraph in the catalogue: here, a person to follow up.
        verbose_name = pgettext_lazy("a person to follow up", "lead")
        verbose_name_plural = pgettext_lazy("people to follow up", "leads")
        ordering = ["-consented_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_event", "email"], name="lead_one_per_event_and_address"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=LeadKind.values), name="lead_kind_known"),
            models.CheckConstraint(condition=~models.Q(consent_text=""), name="lead_has_consent_text"),
        ]
        indexes = [models.Index(fields=["organisation", "-consented_at"], name="lead_organisation_consented")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>".strip()

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Suppression(models.Model):
    """An address the organisation sends no more invitations to: its do-not-mail list.

    Checked by every import (the preview shows the row as on the list and nothing is imported for
    it) and again as each invitation or reminder is composed (one unsubscribed a second before the
    batch is not mailed). Mail about a person's own registration (confirmation, changes,
    cancellation) is not affected. Kept as long as the organisation sends invitations: it is the
    record that lets it honour the wish (GDPR art. 21(3), art. 17(1)(c)); it holds the address and
    why, nothing else.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="suppressions", verbose_name=_("organisation")
    )
    # Stored normalised: one row per organisation and address (a constraint).
    email = models.EmailField(_("e-mail"), max_length=254)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason)
    # For a bounce, the mail server's answer (addresses removed); for an organiser's entry, why.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("do-not-mail address")
        verbose_name_plural = _("do-not-mail list")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="suppression_one_per_address"),
            models.CheckConstraint(
                condition=models.Q(reason__in=SuppressionReason.values), name="suppression_reason_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)
