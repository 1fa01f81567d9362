"""Changes to who belongs to an organisation. The back office, commands and the API call these."""

from __future__ import annotations

from django.db import transaction

from frukost.accounts.enums import Role
from frukost.accounts.models import OrganisationMember
from frukost.core.models import audit
from frukost.events.models import Organisation


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
