"""Who may do what in which organisation: the one place the back office, commands and the API ask.

Roles grant permissions (PERMISSIONS); every organiser-side queryset starts from the
organisations (and, for door staff, the events) a person is a member of, never from
`Model.objects.all()`. Superusers are the site's operators: they use the Django admin and have
no implicit rights here; an operator who also organises events is made a member like anyone else.
"""

from __future__ import annotations

from django.db.models import QuerySet

from frukost.accounts.enums import Permission, Role
from frukost.accounts.exceptions import NotAllowed
from frukost.accounts.models import OrganisationMember
from frukost.events.models import Event, Organisation

P = Permission

PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ORGANISER: frozenset(
        {
            P.MANAGE_EVENTS,
            P.VIEW_REGISTRATIONS,
            P.VIEW_SPECIAL_CATEGORY,
            P.EXPORT,
            P.SEND_MESSAGES,
            P.CHECK_IN,
            P.VIEW_LEADS,
        }
    ),
    # Names, workplace and check-in state of the events they are given: nothing else.
    Role.DOOR: frozenset({P.CHECK_IN}),
    # The union's local representative: the leads list (people who said yes to being contacted)
    # and its export, nothing else: no registrations, no diets or needs, no door.
    Role.REPRESENTATIVE: frozenset({P.VIEW_LEADS}),
}

# Owners and organisers see union membership (GDPR art. 9): IMY expects strong authentication.
# So do representatives: a lead's kind "non-member" is data about union membership too, and they
# can export the list of names and addresses.
ROLES_REQUIRING_TWO_FACTOR = frozenset({Role.OWNER, Role.ORGANISER, Role.REPRESENTATIVE})


def membership(user, organisation: Organisation) -> OrganisationMember | None:
    """The user's membership of the organisation, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return OrganisationMember.objects.filter(user=user, organisation=organisation).first()


def permissions_of(member: OrganisationMember | None) -> frozenset[Permission]:
    return PERMISSIONS.get(member.role, frozenset()) if member else frozenset()


def has_permission(member: OrganisationMember | None, permission: Permission) -> bool:
    return permission in permissions_of(member)


def require(member: OrganisationMember | None, permission: Permission) -> OrganisationMember:
    """The membership, if it grants `permission`; raises NotAllowed otherwise."""
    if member is None or not has_permission(member, permission):
        raise NotAllowed(permission)
    return member


def organisations_for(user, permission: Permission | None = None) -> QuerySet[Organisation]:
    """The organisations the user is a member of (with `permission`, if given)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    roles = Role.values if permission is None else [r for r, p in PERMISSIONS.items() if permission in p]
    return Organisation.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def events_for(member: OrganisationMember, permission: Permission) -> QuerySet[Event]:
    """The events of the member's organisation on which they have `permission`.

    Door staff reach only the events they were given; a role without the permission reaches none.
    """
    if not has_permission(member, permission):
        return Event.objects.none()
    events = Event.objects.filter(organisation_id=member.organisation_id)
    if member.role == Role.DOOR:
        events = events.filter(door_staff=member)
    return events


def requires_two_factor(user) -> bool:
    """Whether any of the user's roles needs a second factor before the back office opens."""
    return OrganisationMember.objects.filter(user=user, role__in=ROLES_REQUIRING_TWO_FACTOR).exists()
