"""Changes to who belongs to an organisation. The back office, commands and the API call these.

Each service validates its input itself (raising accounts.exceptions), checks that the actor
may do it (an actor of None is the system: a command or a data migration) and audits the
change with its actor. None takes a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.accounts.exceptions import (
    AccountExists,
    AlreadyMember,
    InvalidInput,
    InvitationInvalid,
    LastOwner,
)
from frukost.accounts.models import MemberInvitation, OrganisationMember
from frukost.core import formats
from frukost.core.models import audit
from frukost.core.tokens import hash_token, new_token
from frukost.events.models import RETENTION_LIMITS, Event, Organisation, hex_colour
from frukost.mail.enums import MailKind
from frukost.mail.outbox import enqueue


def add_member(*, organisation: Organisation, user, role: Role | str, actor=None) -> OrganisationMember:
    """Make a user a member of the organisation with a role (or change the role they have)."""
    role = Role(role)
    with transaction.atomic():
        member, created = OrganisationMember.objects.update_or_create(
            organisation=organisation, user=user, defaults={"role": role}
        )
        audit(
            "member.added" if created else "member.role_changed",
            actor=actor,
            organisation_id=organisation.pk,
            member_id=member.pk,
            role=role.value,
        )
    return member


def create_person(*, email: str, password: str | None = None):
    """A user who signs in with this e-mail address (allauth's EmailAddress record included).

    The username is internal (Django requires one); people only ever see and type their address.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    User = get_user_model()  # noqa: N806
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.create_user(username=_free_username(User, email), email=email, password=password)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def _free_username(User, email: str) -> str:  # noqa: N803
    base = email[:140]
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


# --- Invitations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentInvitation:
    """An invitation just made, with the one copy of its link (only a hash is stored)."""

    invitation: MemberInvitation
    link: str


def invite_member(
    *, organisation: Organisation, email: str, role: Role | str, actor, events: Iterable[Event] = ()
) -> SentInvitation:
    """Invite an address to join the organisation with a role: an e-mail with a link that expires.

    Door staff are invited to the check-in lists of `events` (ignored for other roles).
    Re-inviting an address with a pending invitation withdraws the old link. An address that
    belongs to a member already is refused (AlreadyMember). The e-mail is queued in this
    transaction, composed now in the inviter's language (the current one), and carries only
    the organisation's name, the inviter's address, the role, the expiry date and the link.
    """
    _require(actor, organisation, Permission.MANAGE_MEMBERS)
    email = _valid_email(email)
    role = _valid_role(role)
    events = _door_events(organisation, events) if role == Role.DOOR else []
    now = timezone.now()
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if OrganisationMember.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise AlreadyMember(
                _("%(email)s is already a member of %(organisation)s.")
                % {"email": email, "organisation": organisation.name}
            )
        replaced = list(
            _pending(
                MemberInvitation.objects.filter(organisation=organisation, email=email), now
            ).values_list("pk", flat=True)
        )
        MemberInvitation.objects.filter(pk__in=replaced).update(revoked_at=now)
        token = new_token()
        invitation = MemberInvitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.FRUKOST_MEMBER_INVITATION_DAYS),
        )
        invitation.events.set(events)
        link = settings.BASE_URL + reverse("backoffice:invitation-accept", args=[token])
        _queue_invitation_mail(invitation, link)
        audit(
            "member.invited",
            actor=actor,
            organisation_id=organisation.pk,
            invitation_id=invitation.pk,
            role=role.value,
            replaced_invitation_ids=replaced,
        )
    return SentInvitation(invitation=invitation, link=link)


def _queue_invitation_mail(invitation: MemberInvitation, link: str) -> None:
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    inviter = invitation.invited_by.email if invitation.invited_by else ""
    context = {
        "organisation": invitation.organisation,
        "inviter": inviter,
        "role": role_in_words(invitation.role),
        "expires": formats.long_date(invitation.expires_at, language),
        "link": link,
        "language": language,
    }
    with translation.override(language):
        subject = _("Invitation to %(organisation)s's back office") % {
            "organisation": invitation.organisation.name
        }
        context["subject"] = subject
        enqueue(
            kind=MailKind.MEMBER_INVITATION,
            to=invitation.email,
            subject=subject,
            body_text=render_to_string("accounts/mail/invitation.txt", context),
            body_html=render_to_string("accounts/mail/invitation.html", context),
        )


def role_in_words(role: Role | str) -> str:
    """What a role may do, in a sentence fragment for e-mails and pages."""
    return {
        Role.OWNER: _("owner (everything, including members and the organisation's settings)"),
        Role.ORGANISER: _("organiser (events, registrations, messages and exports)"),
        Role.DOOR: _("door staff (the check-in list of the events you are given)"),
        Role.REPRESENTATIVE: _("local representative (the people who asked to be contacted after an event)"),
    }[Role(role)]


def find_invitation(token: str) -> MemberInvitation:
    """The pending invitation the link's token belongs to; raises InvitationInvalid otherwise."""
    invitation = (
        MemberInvitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    _check_pending(invitation)
    return invitation


def _check_pending(invitation: MemberInvitation | None) -> None:
    if invitation is None:
        raise InvitationInvalid("unknown", _("This invitation link is not known."))
    if invitation.accepted_at is not None:
        raise InvitationInvalid("used", _("This invitation has been accepted already."))
    if invitation.revoked_at is not None:
        raise InvitationInvalid("withdrawn", _("This invitation was withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("expired", _("This invitation has expired."))


def accept_invitation(*, token: str, password: str | None = None, user=None) -> OrganisationMember:
    """Join the organisation by an invitation's link.

    A new person gives a password (checked by Django's password validators) and becomes a
    user; a person who has an account already signs in first and passes `user` (its address
    must be the invited one). Raises InvitationInvalid (expired, withdrawn, used, unknown,
    other_account), AccountExists (sign in first), InvalidInput (the password), AlreadyMember.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()  # noqa: N806
    with transaction.atomic():
        invitation = (
            MemberInvitation.objects.select_for_update()
            .select_related("organisation")
            .filter(token_hash=hash_token(token or ""))
            .first()
        )
        _check_pending(invitation)
        organisation = invitation.organisation
        if user is not None:
            if not has_address(user, invitation.email):
                raise InvitationInvalid(
                    "other_account",
                    _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
                    % {"email": invitation.email},
                )
        else:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise AccountExists(
                    _("You already have an account: sign in first, then accept the invitation.")
                )
            try:
                password_validation.validate_password(
                    password or "", user=User(username=invitation.email, email=invitation.email)
                )
            except ValidationError as error:
                raise InvalidInput({"password": list(error.messages)}) from error
            user = create_person(email=invitation.email, password=password)
        if OrganisationMember.objects.filter(organisation=organisation, user=user).exists():
            raise AlreadyMember(
                _("You are already a member of %(organisation)s.") % {"organisation": organisation.name}
            )
        member = OrganisationMember.objects.create(organisation=organisation, user=user, role=invitation.role)
        if invitation.role == Role.DOOR:
            member.events.set(invitation.events.filter(organisation=organisation))
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit(
            "member.invitation_accepted",
            actor=user,
            organisation_id=organisation.pk,
            invitation_id=invitation.pk,
            member_id=member.pk,
            role=member.role,
        )
    return member


def has_address(user, email: str) -> bool:
    """Whether the address is the user's (their sign-in address or another verified one)."""
    from allauth.account.models import EmailAddress

    if (user.email or "").lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def withdraw_invitation(*, invitation: MemberInvitation, actor) -> MemberInvitation:
    """Withdraw a pending invitation: its link stops working at once."""
    _require(actor, invitation.organisation, Permission.MANAGE_MEMBERS)
    with transaction.atomic():
        invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
        _check_pending(invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit(
            "member.invitation_withdrawn",
            actor=actor,
            organisation_id=invitation.organisation_id,
            invitation_id=invitation.pk,
        )
    return invitation


def pending_invitations(organisation: Organisation):
    """The organisation's invitations whose link still works, newest first."""
    return _pending(organisation.invitations.all(), timezone.now()).order_by("-created_at", "-id")


def _pending(invitations, now):
    return invitations.filter(accepted_at=None, revoked_at=None, expires_at__gt=now)


# --- Members ----------------------------------------------------------------------------------


def change_role(*, member: OrganisationMember, role: Role | str, actor) -> OrganisationMember:
    """Give a member another role. Raises LastOwner when it would leave the organisation without one.

    A member who stops being door staff loses their door events.
    """
    role = _valid_role(role)
    _require(actor, member.organisation, Permission.MANAGE_MEMBERS)
    with transaction.atomic():
        member = _locked(member)
        if member.role == role:
            return member
        if member.role == Role.OWNER and role != Role.OWNER:
            _refuse_if_last_owner(member)
        previous = member.role
        member.role = role
        member.save(update_fields=["role"])
        if role != Role.DOOR:
            member.events.clear()
        audit(
            "member.role_changed",
            actor=actor,
            organisation_id=member.organisation_id,
            member_id=member.pk,
            role=role.value,
            previous_role=previous,
        )
    return member


def set_door_events(*, member: OrganisationMember, events: Iterable[Event], actor) -> OrganisationMember:
    """Give door staff the check-in lists of these events (replacing the ones they had)."""
    _require(actor, member.organisation, Permission.MANAGE_MEMBERS)
    events = _door_events(member.organisation, events)
    with transaction.atomic():
        member = _locked(member)
        if member.role != Role.DOOR and events:
            raise InvalidInput(
                {"events": [_("Only door staff are given events; the other roles see them all.")]}
            )
        member.events.set(events)
        audit(
            "member.door_events_set",
            actor=actor,
            organisation_id=member.organisation_id,
            member_id=member.pk,
            event_ids=sorted(e.pk for e in events),
        )
    return member


def remove_member(*, member: OrganisationMember, actor) -> None:
    """Take a person out of the organisation (their account stays). Raises LastOwner for the last owner."""
    _require(actor, member.organisation, Permission.MANAGE_MEMBERS)
    with transaction.atomic():
        member = _locked(member)
        if member.role == Role.OWNER:
            _refuse_if_last_owner(member)
        member_id, organisation_id = member.pk, member.organisation_id
        member.delete()
        audit("member.removed", actor=actor, organisation_id=organisation_id, member_id=member_id)


def _locked(member: OrganisationMember) -> OrganisationMember:
    """Lock every membership of the member's organisation and return the member as it is now.

    Two owners demoting (or removing) each other at the same moment must not both see "there
    is another owner": the second waits for the first, then reads the new roles.
    """
    memberships = list(
        OrganisationMember.objects.select_for_update()
        .filter(organisation_id=member.organisation_id)
        .order_by("pk")
    )
    for candidate in memberships:
        if candidate.pk == member.pk:
            candidate.organisation = member.organisation
            candidate._locked_memberships = memberships
            return candidate
    raise OrganisationMember.DoesNotExist("the member was removed meanwhile")


def _refuse_if_last_owner(member: OrganisationMember) -> None:
    owners = [m for m in member._locked_memberships if m.role == Role.OWNER]
    if [m.pk for m in owners] == [member.pk]:
        raise LastOwner(
            _("%(organisation)s needs at least one owner. Make someone else an owner first.")
            % {"organisation": member.organisation.name}
        )


# --- The organisation's settings --------------------------------------------------------------


def update_organisation(
    *,
    organisation: Organisation,
    actor,
    name: str,
    colour: str,
    website: str = "",
    membership_question: str = "",
    privacy_contact: str = "",
) -> Organisation:
    """Change the organisation's name, brand colour, website, membership question and privacy contact."""
    _require(actor, organisation, Permission.MANAGE_ORGANISATION)
    values = {
        "name": (name or "").strip(),
        "colour": (colour or "").strip().lower(),
        "website": (website or "").strip(),
        "membership_question": (membership_question or "").strip(),
        "privacy_contact": (privacy_contact or "").strip().lower(),
    }
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = [_("Give the organisation's name.")]
    elif len(values["name"]) > 200:
        errors["name"] = [_("Keep the name to 200 characters at most.")]
    try:
        hex_colour(values["colour"])
    except ValidationError:
        errors["colour"] = [_("Give the colour as #rrggbb, for example #6a1b4d.")]
    if values["website"]:
        try:
            URLValidator(schemes=["https", "http"])(values["website"])
            if len(values["website"]) > 200:
                raise ValidationError("too long")
        except ValidationError:
            errors["website"] = [_("Give the whole address, for example https://www.example.se/.")]
    if len(values["membership_question"]) > 200:
        errors["membership_question"] = [_("Keep the question to 200 characters at most.")]
    if values["privacy_contact"]:
        try:
            validate_email(values["privacy_contact"])
        except ValidationError:
            errors["privacy_contact"] = [_("Give an e-mail address, for example dataskydd@example.se.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = sorted(field for field, value in values.items() if getattr(organisation, field) != value)
        for field, value in values.items():
            setattr(organisation, field, value)
        organisation.save(update_fields=list(values))
        audit("organisation.updated", actor=actor, organisation_id=organisation.pk, fields=changed)
    return organisation


def update_retention(*, organisation: Organisation, actor, periods: dict) -> Organisation:
    """Set how long the organisation keeps each kind of personal data (its retention schedule).

    `periods` maps the settings of RETENTION_LIMITS (retain_needs_days, retain_membership_days,
    retain_cancelled_days, retain_identity_months) to whole numbers; one left out stays as it is.
    Each must lie within its limits (the database refuses anything else too). The privacy notice
    and the retention job read these, so a change shows there at once and applies from the next run.
    """
    _require(actor, organisation, Permission.MANAGE_ORGANISATION)
    values: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for field, value in periods.items():
        if field not in RETENTION_LIMITS:
            raise InvalidInput({"__all__": [_("Unknown retention setting: %(name)s") % {"name": field}]})
        low, high = RETENTION_LIMITS[field]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or not low <= number <= high:
            unit = _("months") if field.endswith("_months") else _("days")
            errors[field] = [
                _("Give a whole number from %(low)s to %(high)s (%(unit)s).")
                % {"low": low, "high": high, "unit": unit}
            ]
        else:
            values[field] = number
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = {field: value for field, value in values.items() if getattr(organisation, field) != value}
        if changed:
            for field, value in changed.items():
                setattr(organisation, field, value)
            organisation.save(update_fields=list(changed))
            # Periods are numbers, not personal data: the entry says what they became.
            audit(
                "organisation.retention_changed",
                actor=actor,
                organisation_id=organisation.pk,
                periods=changed,
            )
    return organisation


# --- Checks shared by the services ------------------------------------------------------------


def _require(actor, organisation: Organisation, permission: Permission) -> None:
    if actor is None:
        return  # the system itself: a command, the demo seed
    access.require(access.membership(actor, organisation), permission)


def _valid_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidInput({"email": [_("Give an e-mail address, for example namn@example.se.")]}) from error
    return email


def _valid_role(role) -> Role:
    try:
        return Role(role)
    except ValueError as error:
        raise InvalidInput({"role": [_("Choose one of the roles.")]}) from error


def _door_events(organisation: Organisation, events: Iterable[Event]) -> list[Event]:
    events = list(events)
    ids = {e.pk for e in events}
    found = list(Event.objects.filter(organisation=organisation, pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput({"events": [_("Choose among the organisation's own events.")]})
    return found
