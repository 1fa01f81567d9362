from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.accounts.enums import Role
from frukost.events.models import Event, Organisation


class OrganisationMember(models.Model):
    """A person's role in one organisation. A person may belong to several, with different roles.

    Door staff see only the events listed in `events` (and of those only what the door needs).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.ORGANISER)
    events = models.ManyToManyField(
        Event,
        blank=True,
        related_name="door_staff",
        verbose_name=_("events at the door"),
        help_text=_("Door staff see the check-in list of these events only."),
    )
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organisation", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_organisation"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class MemberInvitation(models.Model):
    """An owner's invitation to join an organisation, sent by e-mail as a link that expires.

    Only the SHA-256 of the link's token is stored.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.ORGANISER)
    # Door staff are invited to the check-in lists of these events; they are given them on accepting.
    events = models.ManyToManyField(Event, blank=True, related_name="+", verbose_name=_("events at the door"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to join")
        verbose_name_plural = _("invitations to join")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
