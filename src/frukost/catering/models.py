from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from frukost.catering.enums import ListReason, VenueLanguage
from frukost.events.models import Event

MAX_BOOK_MARGIN = 1000


class CateringPlan(models.Model):
    """Who at the venue gets the catering figures, in which language, and the margin for books.

    One per event, created when an organiser first saves the catering settings; an event
    without one has no venue contact and a book margin of 0.
    """

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="catering_plan", verbose_name=_("event")
    )
    venue_contact_name = models.CharField(_("venue contact"), max_length=200, blank=True)
    venue_email = models.EmailField(
        _("venue contact e-mail"),
        blank=True,
        help_text=_("The catering figures are e-mailed here. They never contain names or e-mail addresses."),
    )
    language = models.CharField(
        _("language of the e-mail"), max_length=2, choices=VenueLanguage, default=VenueLanguage.SWEDISH
    )
    book_margin = models.PositiveIntegerField(
        _("extra books"),
        default=0,
        validators=[MaxValueValidator(MAX_BOOK_MARGIN)],
        help_text=_("Ordered on top of the seats taken, for late registrations and spares."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catering plan")
        verbose_name_plural = _("catering plans")

    def __str__(self) -> str:
        return f"catering plan for event {self.event_id}"


class CateringList(models.Model):
    """The catering figures as they were at one moment: frozen, and perhaps sent to the venue.

    Holds counts and the free-text diet notes without names (sorted, so their order does not
    reveal who wrote what). Later lists are sent as differences against the last one sent.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="catering_lists", verbose_name=_("event")
    )
    created_at = models.DateTimeField(_("frozen"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=10, choices=ListReason)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    headcount = models.PositiveIntegerField(_("headcount"))
    unconfirmed = models.PositiveIntegerField(_("not yet confirmed"), default=0)
    diets = models.JSONField(_("counts per diet"), default=dict, blank=True)
    notes = models.JSONField(_("other dietary needs, without names"), default=list, blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("catering list")
        verbose_name_plural = _("catering lists")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event", "created_at"], name="cateringlist_event_created")]

    def __str__(self) -> str:
        return f"catering list {self.pk} for event {self.event_id}"
