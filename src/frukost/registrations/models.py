from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from frukost.core.emails import normalise_email
from frukost.events.models import Event
from frukost.registrations.enums import ACTIVE_STATUSES, Diet, Language, LinkPurpose, Membership, Status


def email_taken(event_id: int, email: str, exclude_pk: int | None = None) -> bool:
    """Whether another active registration for the event has this (normalised) address.

    No address (a walk-in who gave none) is never taken: the database's constraint leaves empty
    addresses out too."""
    if not email or not email.strip():
        return False
    others = Registration.objects.filter(
        event_id=event_id, email=normalise_email(email), status__in=ACTIVE_STATUSES
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


# What identifies a person, and the special-category answers (GDPR art. 9): retention and erasure
# blank these, each on its own schedule (frukost.privacy).
IDENTITY_FIELDS = (
    "first_name", "last_name", "email", "workplace", "job_title", "answer",
    "colleague_names", "invited_by_name",
)  # fmt: skip
NEEDS_FIELDS = ("diets", "diet_other", "other_needs")
MEMBERSHIP_FIELDS = ("membership",)


def seat_taken_q(prefix: str = "") -> Q:
    """Who holds a seat, for every seat rule (seats left, walk-ins, colleagues, the public page):
    those registered (seats held for unconfirmed colleagues included) and those with an open
    offer from the waiting list. `prefix` reaches across a relation ("registrations__")."""
    return Q(**{f"{prefix}status": Status.REGISTERED}) | Q(
        **{f"{prefix}status": Status.WAITLISTED, f"{prefix}offer_expires_at__isnull": False}
    )


class Registration(models.Model):
    """One person's place (or place in the queue) at one event.

    A colleague someone brings is a registration of their own, with `invited_by` set; until
    they confirm (`confirmed_at` empty) their seat is only held. Membership, diet and needs
    are special-category data (GDPR art. 9): never e-mailed, never exported with names to a
    caterer, and erased on the retention schedule.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.REGISTERED)
    invited_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="colleagues",
        verbose_name=_("registered by"),
    )

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Stored lower-cased so the database can enforce one active registration per address. Empty
    # for an anonymised row and for a walk-in who gave none at the door: nothing is mailed then
    # (notifications and the outbox skip an empty address; the unique constraint excludes it).
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.SWEDISH)

    # Special-category data (GDPR art. 9).
    membership = models.CharField(_("member"), max_length=12, choices=Membership, blank=True)
    diets = models.JSONField(_("dietary needs"), default=list, blank=True)
    diet_other = models.CharField(_("other dietary needs"), max_length=300, blank=True)
    other_needs = models.TextField(_("other needs"), max_length=1000, blank=True)

    answer = models.TextField(_("answer to the event's question"), max_length=1000, blank=True)
    wants_future_invitations = models.BooleanField(_("wants future invitations"), default=False)

    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("got a seat from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("seat held until"), null=True, blank=True)
    remind_after = models.DateTimeField(_("remind colleague after"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # When the "still coming?" e-mail was queued for this person: set by the conditional UPDATE
    # that claims it (registrations.services.reminders), so it goes once even with two workers.
    attendee_reminded_at = models.DateTimeField(_("“Still coming?” e-mail sent"), null=True, blank=True)
    # The claim window (registrations.services.waitlist): a freed seat offered to this person, theirs
    # to take until `offer_expires_at`. They stay WAITLISTED meanwhile, but the seat counts as taken
    # for every seat rule (SEAT_TAKEN), so nobody else gets it. When the window runs out untaken the
    # worker clears `offer_expires_at` and sets `offer_lapsed_at` (they stay on the list, but are
    # not offered a seat automatically again); `offered_at` keeps when the last offer was made.
    offered_at = models.DateTimeField(_("offered a seat"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    offer_lapsed_at = models.DateTimeField(_("offer passed untaken"), null=True, blank=True)
    # Set when names, address, workplace and title were erased (retention or the person's own
    # request); the row stays for the counts with status, times and nothing that identifies anyone.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # The colleagues this person registered, one "First Last" a line, as they gave them: their
    # receipt and personal page list these whether or not each became a registration (an address
    # already registered creates none), so neither tells anyone which addresses are registered.
    colleague_names = models.TextField(_("colleagues they registered"), blank=True)
    # For a colleague: the name the person who registered them gave for themselves, which their
    # invitation says (the same whether or not that person's address was registered already).
    invited_by_name = models.CharField(_("registered by (name given)"), max_length=201, blank=True)
    # How many colleagues other forms brought through this person's address (someone registering it
    # again): they count against the event's colleague limit with the names this person gave.
    colleagues_added_by_others = models.PositiveSmallIntegerField(
        _("colleagues added by registering again"), default=0
    )
    # For a colleague on an event that asks people to confirm their address: the invitation waits
    # until the person who brought them has confirmed theirs (until then nobody is mailed).
    invitation_held = models.BooleanField(_("invitation waits for the registrant"), default=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                # An anonymised row has no address left and must not collide with another.
                condition=Q(status__in=ACTIVE_STATUSES) & ~Q(email=""),
                name="one_active_registration_per_email",
            ),
            models.CheckConstraint(condition=Q(diets__isnull=False), name="registration_diets_not_null"),
            # An open offer is a waiting-list place with a seat set aside: any other status must
            # have cleared it, or the seat would stay counted as taken.
            models.CheckConstraint(
                condition=Q(offer_expires_at__isnull=True) | Q(status="waitlisted"),
                name="registration_offer_only_while_waitlisted",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="registration_event_status"),
            # Every seat count (seat_taken_q: the status, and an open offer) from the index alone,
            # without reading the rows: the registration form counts under the event lock.
            models.Index(fields=["event", "status", "offer_expires_at"], name="registration_event_seats"),
            # The back office's table: one event's rows in registration order or by name, a page
            # at a time (at 100,000 rows these took the first page from ~300 ms to ~20-40 ms).
            models.Index(fields=["event", "created_at", "id"], name="registration_event_created"),
            models.Index(fields=["event", "last_name", "first_name", "id"], name="registration_event_name"),
            # One address's rows at one event, whatever their status (the unique constraint above holds
            # only the active ones): the calendar file in every confirmation counts the earlier ones
            # (queries.earlier_registrations), which otherwise read all the event's rows.
            models.Index(fields=["event", "email"], name="registration_event_email"),
            # The worker's look for offers that ran out, every minute: only the few open ones.
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(offer_expires_at__isnull=False),
                name="registration_open_offers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        # Every path (services, forms, the admin, the shell) stores the address lower-cased, or the
        # one-active-registration constraint would let "Anna@…" and "anna@…" both in.
        # (bulk_create and QuerySet.update bypass this; callers of those normalise themselves.)
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean(self):
        """The one-active-registration rule as a form error, for any ModelForm (the admin's too).

        A ModelForm skips the database constraint's own check when `event` or `status` is not one
        of its fields (the admin shows them read-only), and the save would then fail with an
        IntegrityError: this check does not depend on which fields a form has.
        """
        super().clean()
        self.email = normalise_email(self.email)
        if (
            self.event_id
            and self.status in ACTIVE_STATUSES
            and email_taken(self.event_id, self.email, self.pk)
        ):
            raise ValidationError(
                {"email": _("This address is already registered for the event.")}, code="email_taken"
            )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def named_colleagues(self) -> list[str]:
        return [name for name in self.colleague_names.splitlines() if name]

    def colleague_names_given(self) -> list[str]:
        """The names this person gave for their colleagues (`colleague_names`).

        A registration from before the names were kept has none stored: its active colleagues'
        names stand in. Colleagues added through this person's address by someone who registered
        it again carry `invited_by_name` and are not theirs to list. Reads `colleagues.all()`, so
        a prefetch serves it.
        """
        if self.colleague_names:
            return self.named_colleagues
        return [
            c.full_name
            for c in sorted(self.colleagues.all(), key=lambda c: (c.created_at, c.pk))
            if c.is_active and not c.invited_by_name and c.anonymised_at is None
        ]

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def has_open_offer(self) -> bool:
        """A seat is set aside for them (the worker clears it soon after the window ends)."""
        return self.status == Status.WAITLISTED and self.offer_expires_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def diet_labels(self) -> list[str]:
        return [str(Diet(code).label) for code in self.diets if code in Diet.values]


class PersonalLink(models.Model):
    """A secret link to one registration. Only a hash of the token is stored (see links.py).

    Each e-mail that carries a link mints a new one when the mail is handed to the mail server
    (the raw token exists only in that e-mail), so an earlier e-mail's link keeps working until
    it is revoked (the row deleted), the registration's data is erased, or the event ended more
    than FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT days ago. `message` names the outbox message it
    was minted for, so that a message that fails for good takes its link with it.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10, choices=LinkPurpose, default=LinkPurpose.MANAGE)
    message = models.ForeignKey(
        "mail.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")

    def __str__(self) -> str:
        return f"link to registration {self.registration_id}"


class EventTally(models.Model):
    """What an event's special-category answers added up to, kept when the answers are erased.

    Retention (frukost.privacy.retention) adds the answers it is about to blank to these counts
    in the same transaction, so a figure is always `tally + what is still stored`: right before,
    during and after erasure, whichever readers ask (statistics, catering). Diet counts are among
    confirmed people with a seat (as the caterer's figures), membership among everyone with a seat.
    The `*_erased_at` times say when each kind went (for the back office's "erased on …").
    """

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="tally", verbose_name=_("event")
    )
    # The statuses as they were at the last retention step (the rows keep their status, so the
    # live counts stay right too; these are for reading without the rows).
    headcount = models.PositiveIntegerField(_("seats taken"), default=0)
    waitlisted = models.PositiveIntegerField(_("waiting list"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    released = models.PositiveIntegerField(_("released"), default=0)
    diets = models.JSONField(_("counts per diet"), default=dict, blank=True)
    with_special_diet = models.PositiveIntegerField(_("with a special diet"), default=0)
    members = models.PositiveIntegerField(_("members"), default=0)
    not_members = models.PositiveIntegerField(_("not members"), default=0)
    undisclosed = models.PositiveIntegerField(_("did not say"), default=0)

    needs_erased_at = models.DateTimeField(_("diets and needs erased"), null=True, blank=True)
    membership_erased_at = models.DateTimeField(_("membership answers erased"), null=True, blank=True)
    cancelled_erased_at = models.DateTimeField(_("cancelled registrations anonymised"), null=True, blank=True)
    links_erased_at = models.DateTimeField(_("personal links deleted"), null=True, blank=True)
    identity_erased_at = models.DateTimeField(_("registrations anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("event tally")
        verbose_name_plural = _("event tallies")

    def __str__(self) -> str:
        return f"tally for event {self.event_id}"

    def diet_count(self, code: str) -> int:
        return int((self.diets or {}).get(code, 0))
