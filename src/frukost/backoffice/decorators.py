"""Access to back-office views: signed in, a member of the organisation in the URL, the right role.

Every back-office view takes the organisation's slug as its first URL argument and is wrapped
in `member_required(permission)`. A person who is not a member of that organisation gets a 404
(the organisation's existence is not revealed); a member whose role lacks the permission gets a
403. Owners, organisers and local representatives see what concerns union membership
(accounts.access.ROLES_REQUIRING_TWO_FACTOR), so they must have set up two-factor
authentication before any page opens (they are sent to set it up), and anyone who has a second
factor must have used it in this session (signals.used_second_factor).
"""

from __future__ import annotations

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.accounts.models import OrganisationMember
from frukost.backoffice.signals import used_second_factor
from frukost.events.models import Event
from frukost.invitations.models import InvitationList


def _no_store(response):
    # Back-office pages hold personal data: never kept by a browser or a proxy.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def secret_link(view):
    """For a page reached by a secret link (an invitation): never cached or indexed, no referrer leaks."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _no_store(view(request, *args, **kwargs))
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def sign_in_new_person(request, user) -> None:
    """Sign in a person who has just chosen their password (on accepting an invitation).

    Recorded as a fresh password confirmation, as allauth's own sign-in is (see
    accounts.adapter), so setting up two-factor next does not ask for the password again.
    """
    from allauth.account.internal.flows.login import record_authentication

    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    record_authentication(request, user, method="password", email=user.email, reauthenticated=True)


def signed_in(view):
    """Only for a signed-in person; the others are sent to the sign-in page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _no_store(view(request, *args, **kwargs))

    return wrapper


def member_required(permission: Permission):
    """Decorate a view `view(request, organisation, …)`; it runs with `request.member` set."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, organisation, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            member = (
                OrganisationMember.objects.select_related("organisation", "user")
                .filter(user=request.user, organisation__slug=organisation)
                .first()
            )
            if member is None:
                raise Http404
            has_second_factor = is_mfa_enabled(request.user)
            if member.role in access.ROLES_REQUIRING_TWO_FACTOR and not has_second_factor:
                return redirect("backoffice:two-factor-required")
            if has_second_factor and not used_second_factor(request):
                # Signed in without using it (a password alone): sign in again, with the code.
                logout(request)
                return redirect_to_login(request.get_full_path())
            if not access.has_permission(member, permission):
                raise PermissionDenied
            request.member = member
            request.organisation = member.organisation
            return _no_store(view(request, *args, **kwargs))

        wrapper.permission = permission
        return wrapper

    return decorate


def event_for(request, event_id: int, permission: Permission) -> Event:
    """The event, if it belongs to the member's organisation and they may act on it; else 404."""
    return get_object_or_404(
        access.events_for(request.member, permission).select_related("organisation"), pk=event_id
    )


def invitation_list_for(request, list_id: int, permission: Permission) -> InvitationList:
    """The invitation list, if it is the member's organisation's and, for an event's list, they may
    act on that event; else 404."""
    invitation_list = get_object_or_404(
        InvitationList.objects.select_related(
            "organisation", "event__organisation", "series", "created_by"
        ).filter(organisation=request.organisation),
        pk=list_id,
    )
    if (
        invitation_list.event_id
        and not access.events_for(request.member, permission).filter(pk=invitation_list.event_id).exists()
    ):
        raise Http404
    return invitation_list
