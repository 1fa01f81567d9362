from __future__ import annotations

import datetime as dt
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower, Substr
from django.db.models.lookups import Exact, GreaterThanOrEqual, In
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from frukost.core.tokens import new_code
from frukost.events.enums import EventStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")

DEFAULT_COLOUR = "#6a1b4d"
# A colleague's seat is held for at most 30 days (and never past the deadline or the start).
MAX_COLLEAGUE_HOLD_HOURS = 30 * 24
# An event may take at most half its seats again as extra registrations (overbooking): a guard
# against a typo, far above any no-show rate seen in practice.
MAX_OVERBOOKING_SHARE = 0.5
# The "still coming?" e-mail goes at most this many days before the event (0: not at all).
MAX_REMINDER_DAYS_BEFORE = 14
hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}\Z", _("Give the colour as #rrggbb, for example #6a1b4d."))


def _is_hex_colour(field: str) -> Q:
    """#rrggbb, checked by the database: the colour is written into <style> and e-mails.

    Spelt with LENGTH, SUBSTR and LOWER rather than a regular expression: SQLite has no REGEXP
    of its own (Django adds one to its connections only), so a regex CHECK would break every
    write made by another SQLite client.
    """
    digits = [In(Lower(Substr(field, position, 1)), list("0123456789abcdef")) for position in range(2, 8)]
    return Q(Exact(Length(field), 7), Exact(Substr(field, 1, 1), "#"), *digits)


# Organisation slugs are the first part of public URLs; these paths belong to the site itself.
RESERVED_SLUGS = {
    "admin",
    "backoffice",
    "konto",
    "r",
    "i",  # /i/<token>/: an invitation's links (frukost.invitations)
    "i18n",
    "static",
    "media",
    "integritet",
    "tillganglighet",
    "mina-uppgifter",
    "api",
    "feed",
    # The back office's own paths before an organisation's slug (/backoffice/<slug>/…).
    "inbjudan",
    "tvastegsverifiering",
}


def not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself; choose another."), params={"slug": value}
        )


# Event slugs follow the organisation's (/<organisation>/<event>/); these paths are the organisation's own.
RESERVED_EVENT_SLUGS = {
    "integritet",  # /<organisation>/integritet/: the organisation's privacy notice
}


def not_reserved_for_event(value: str) -> None:
    if value in RESERVED_EVENT_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of the organisation's own page; choose another."),
            params={"slug": value},
        )


# (minimum, maximum) for each retention setting: an organisation may shorten or lengthen within these.
RETENTION_LIMITS = {
    "retain_needs_days": (1, 30),
    "retain_membership_days": (1, 90),
    "retain_cancelled_days": (1, 90),
    "retain_identity_months": (1, 36),
}


def _retention_validators(name: str) -> list:
    low, high = RETENTION_LIMITS[name]
    return [MinValueValidator(low), MaxValueValidator(high)]


def _retention_within_limits():
    condition = Q()
    for name, (low, high) in RETENTION_LIMITS.items():
        condition &= Q(**{f"{name}__gte": low, f"{name}__lte": high})
    return condition


def max_overbooking(capacity: int | None) -> int:
    """The most extra registrations an event with this capacity may take (half its seats)."""
    return int((capacity or 0) * MAX_OVERBOOKING_SHARE)


class Organisation(models.Model):
    """A union, association or network that invites people. Everything else hangs off one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name in addresses"), max_length=60, unique=True, validators=[not_reserved]
    )
    colour = models.CharField(
        _("brand colour"), max_length=7, default=DEFAULT_COLOUR, validators=[hex_colour]
    )
    website = models.URLField(_("website"), blank=True)
    membership_question = models.CharField(
        _("membership question"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty for “Are you a member of <organisation>?”."),
    )
    privacy_contact = models.EmailField(_("privacy contact e-mail"), blank=True)

    # Retention, purpose by purpose (see frukost.privacy and docs/privacy.md). Each period counts
    # from the event's date in Stockholm; the bounds are RETENTION_LIMITS (database constraints).
    retain_needs_days = models.PositiveSmallIntegerField(
        _("keep diets and other needs (days after the event)"),
        validators=_retention_validators("retain_needs_days"),
        default=1,
        help_text=_("The caterer's figures and the counts stay; the answers go."),
    )
    retain_membership_days = models.PositiveSmallIntegerField(
        _("keep the membership answer (days after the event)"),
        validators=_retention_validators("retain_membership_days"),
        default=30,
        help_text=_("Long enough for the follow-up after the event; the counts stay."),
    )
    retain_cancelled_days = models.PositiveSmallIntegerField(
        _("keep cancelled and released registrations (days after the event)"),
        validators=_retention_validators("retain_cancelled_days"),
        default=7,
    )
    retain_identity_months = models.PositiveSmallIntegerField(
        _("keep names and addresses of attendees (months after the event)"),
        validators=_retention_validators("retain_identity_months"),
        default=12,
        help_text=_("People who asked for future invitations stay as contacts until they withdraw."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=_is_hex_colour("colour"), name="organisation_colour_hex"),
            models.CheckConstraint(
                condition=_retention_within_limits(), name="organisation_retention_limits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """Events that belong together, e.g. "Chefsfrukost" held in many cities."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="series", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="series_slug_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One occasion people register for: a breakfast seminar at a place and time."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="events", verbose_name=_("organisation")
    )
    slug = models.SlugField(_("address"), max_length=120, validators=[not_reserved_for_event])
    status = models.CharField(_("status"), max_length=12, choices=EventStatus, default=EventStatus.DRAFT)
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )

    title = models.CharField(_("title"), max_length=200)
    host_name = models.CharField(
        _("host"), max_length=200, blank=True, help_text=_("Who leads the conversation.")
    )
    host_role = models.CharField(_("host's role"), max_length=300, blank=True)
    lead = models.TextField(_("lead"), blank=True, help_text=_("The opening paragraph. Markdown."))
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown: paragraphs, lists, links."))
    questions = models.TextField(
        _("questions to reflect on"), blank=True, help_text=_("One question per line.")
    )
    gift = models.CharField(
        _("every attendee receives"),
        max_length=300,
        blank=True,
        help_text=_("For example the book Leda med tillit."),
    )

    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    doors_at = models.DateTimeField(_("breakfast served from"), null=True, blank=True)

    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    online = models.BooleanField(_("online event"), default=False)
    online_url = models.URLField(_("link to the online meeting"), blank=True)

    registration_deadline = models.DateField(
        _("last day to register"), null=True, blank=True, help_text=_("Registration is open all of that day.")
    )
    registration_deadline_time = models.TimeField(
        _("deadline time"), null=True, blank=True, help_text=_("Leave empty to close at midnight.")
    )
    # Set when an organiser closes registration before the deadline; reopening clears it.
    registration_closed_at = models.DateTimeField(_("registration closed early"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    max_colleagues = models.PositiveSmallIntegerField(
        _("colleagues per registration"), default=1, validators=[MaxValueValidator(10)]
    )
    colleague_hold_hours = models.PositiveIntegerField(
        _("hours a colleague's seat is held"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(
                MAX_COLLEAGUE_HOLD_HOURS,
                _("A seat can be held for at most %(limit_value)s hours (30 days)."),
            ),
        ],
        help_text=_("Until the colleague confirms. Empty: the site default. Never past the deadline."),
    )
    custom_question = models.CharField(
        _("own question"),
        max_length=300,
        blank=True,
        help_text=_("An optional question, e.g. “Vad vill du ta upp?”"),
    )
    few_seats_threshold = models.PositiveIntegerField(_("show “few seats left” from"), default=10)
    # Extra registrations beyond the room's capacity, chosen by the organiser from the series'
    # no-show rate. Every seat rule uses `seat_limit` (capacity + overbooking); the public page
    # only ever sees the larger number, the back office always says how it came about.
    overbooking = models.PositiveIntegerField(
        _("overbooking (extra seats)"),
        default=0,
        help_text=_(
            "Registrations taken beyond the seats, for those who will not come. Lowering it "
            "later cancels nobody: it only stops new seats until enough people cancel."
        ),
    )
    # The "still coming?" e-mail to everyone with a seat, this many days before the event at
    # FRUKOST_REMINDER_TIME Stockholm time (registrations.services.reminders). 0: not sent.
    reminder_days_before = models.PositiveSmallIntegerField(
        _("“Still coming?” e-mail (days before)"),
        default=2,
        validators=[MaxValueValidator(MAX_REMINDER_DAYS_BEFORE)],
        help_text=_(
            "Asks everyone with a seat whether they are still coming, so that a freed seat goes to "
            "the waiting list. 0: not sent."
        ),
    )

    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    # For calendar files: a stable UID and a SEQUENCE raised whenever the facts change.
    ical_uid = models.CharField(max_length=64, unique=True, default=new_code, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A registration only holds its seat until the person opens the link in their e-mail and
    # confirms (a colleague's seat is held the same way): a made-up address never gets a seat.
    confirm_email = models.BooleanField(
        _("ask people to confirm their e-mail address"),
        default=False,
        help_text=_(
            "The seat is held until the person confirms through the link in their e-mail, and is "
            "released if they do not confirm in time (as for colleagues)."
        ),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="event_slug_unique_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(colleague_hold_hours__isnull=True)
                | Q(colleague_hold_hours__gte=1, colleague_hold_hours__lte=MAX_COLLEAGUE_HOLD_HOURS),
                name="event_colleague_hold_hours_bounded",
            ),
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(models.F("capacity"), models.F("overbooking") * 2)),
                name="event_overbooking_at_most_half",
                violation_error_message=_("Overbook by at most half the seats."),
            ),
            models.CheckConstraint(
                condition=Q(reminder_days_before__lte=MAX_REMINDER_DAYS_BEFORE),
                name="event_reminder_days_bounded",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="event_status_starts")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at.astimezone(STOCKHOLM):%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("public:event", kwargs={"organisation": self.organisation.slug, "event": self.slug})

    @property
    def registration_closes_at(self) -> dt.datetime:
        """The first moment registration is closed (deadline day inclusive, Stockholm time).

        An organiser who closed registration early moves it to that moment.
        """
        if self.registration_deadline is None:
            closes = self.starts_at
        elif self.registration_deadline_time is not None:
            local = dt.datetime.combine(self.registration_deadline, self.registration_deadline_time)
            closes = local.replace(tzinfo=STOCKHOLM)
        else:
            local = dt.datetime.combine(self.registration_deadline + dt.timedelta(days=1), dt.time(0, 0))
            closes = local.replace(tzinfo=STOCKHOLM)
        if self.registration_closed_at is not None:
            return min(closes, self.registration_closed_at)
        return closes

    @property
    def seat_limit(self) -> int:
        """How many seats can be taken: the capacity plus the overbooking. Every seat rule uses this."""
        return self.capacity + self.overbooking

    @property
    def max_overbooking(self) -> int:
        return max_overbooking(self.capacity)

    @property
    def is_closed_early(self) -> bool:
        return self.registration_closed_at is not None and self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def questions_list(self) -> list[str]:
        return [line.strip(" -•*\t") for line in self.questions.splitlines() if line.strip(" -•*\t")]

    @property
    def address_line(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street_address, place) if part)

    @property
    def map_url(self) -> str:
        query = ", ".join(part for part in (self.venue_name, self.address_line) if part)
        return f"https://www.openstreetmap.org/search?query={quote_plus(query)}" if query else ""
