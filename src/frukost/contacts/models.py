from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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
