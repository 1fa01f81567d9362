"""Who belongs to the organisation: members, their roles and door events, invitations.

Only owners (Permission.MANAGE_MEMBERS) reach these pages; the accounts services check it again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts import access, services
from frukost.accounts.enums import Permission, Role
from frukost.accounts.exceptions import (
    AccountExists,
    AlreadyMember,
    InvalidInput,
    InvitationInvalid,
    LastOwner,
)
from frukost.accounts.forms import AcceptInvitationForm, InviteForm, MemberForm
from frukost.accounts.models import MemberInvitation, OrganisationMember
from frukost.backoffice.decorators import member_required, secret_link, sign_in_new_person
from frukost.events.models import Event


def _member(request, member_id: int) -> OrganisationMember:
    return get_object_or_404(
        OrganisationMember.objects.select_related("user", "organisation").filter(
            organisation=request.organisation
        ),
        pk=member_id,
    )


@member_required(Permission.MANAGE_MEMBERS)
@require_GET
def member_list(request):
    """Every member with role, two-factor state and door events; then the invitations still open."""
    members = list(
        OrganisationMember.objects.filter(organisation=request.organisation)
        .select_related("user")
        .prefetch_related(Prefetch("events", queryset=Event.objects.order_by("starts_at", "pk")))
        .annotate(
            two_factor=Exists(
                Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)
            )
        )
        .order_by("user__email")
    )
    invitations = list(services.pending_invitations(request.organisation).select_related("invited_by"))
    return render(
        request,
        "backoffice/member_list.html",
        {
            "members": members,
            "invitations": invitations,
            "owner_count": sum(m.role == Role.OWNER for m in members),
        },
    )


@member_required(Permission.MANAGE_MEMBERS)
@require_http_methods(["GET", "HEAD", "POST"])
def member_invite(request):
    organisation = request.organisation
    form = InviteForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.invite_member(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                events=form.cleaned_data["events"],
                actor=request.user,
            )
        except AlreadyMember as error:
            form.add_error("email", str(error))
        except InvalidInput as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The invitation is on its way to %(email)s. The link works until %(date)s.")
                % {"email": sent.invitation.email, "date": _date(sent.invitation.expires_at)},
            )
            return redirect("backoffice:members", organisation.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/member_invite.html", {"form": form}, status=status)


@member_required(Permission.MANAGE_MEMBERS)
@require_http_methods(["GET", "HEAD", "POST"])
def member_edit(request, member_id: int):
    """Change a member's role and, for door staff, the events whose check-in list they see."""
    member = _member(request, member_id)
    chosen = list(member.events.all())
    initial = {"role": member.role, "events": chosen}
    form = MemberForm(_posted(request), initial=initial, organisation=request.organisation, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        try:
            with transaction.atomic():  # the role and the door events change together, or neither
                member = services.change_role(member=member, role=role, actor=request.user)
                if role == Role.DOOR:
                    services.set_door_events(
                        member=member, events=form.cleaned_data["events"], actor=request.user
                    )
        except LastOwner as error:
            form.add_error("role", str(error))
        except InvalidInput as error:
            form.add_service_errors(error)
        except OrganisationMember.DoesNotExist as error:
            raise Http404 from error
        else:
            messages.success(request, _("%(email)s's role was saved.") % {"email": member.user.email})
            return _after_change(request)
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/member_edit.html", {"form": form, "member": member}, status=status)


@member_required(Permission.MANAGE_MEMBERS)
@require_http_methods(["GET", "HEAD", "POST"])
def member_remove(request, member_id: int):
    member = _member(request, member_id)
    email = member.user.email
    back = reverse("backoffice:members", args=[request.organisation.slug])
    if request.method == "POST":
        try:
            services.remove_member(member=member, actor=request.user)
        except LastOwner as error:
            messages.error(request, str(error))
            return redirect(back)
        except OrganisationMember.DoesNotExist as error:
            raise Http404 from error
        messages.success(
            request,
            _("%(email)s is no longer a member of %(organisation)s.")
            % {"email": email, "organisation": request.organisation.name},
        )
        return _after_change(request)
    yourself = member.user_id == request.user.pk
    return render(
        request,
        "backoffice/confirm.html",
        {
            "title": _("Remove %(email)s?") % {"email": email},
            "lead": _("They will no longer reach %(organisation)s's back office.")
            % {"organisation": request.organisation.name},
            "consequences": [
                _("Their account stays, with any other organisations they belong to."),
                _("No e-mail is sent."),
                *([_("You are removing yourself: this page closes for you at once.")] if yourself else []),
            ],
            "button": _("Remove from the organisation"),
            "danger": True,
            "back_url": back,
        },
    )


@member_required(Permission.MANAGE_MEMBERS)
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_withdraw(request, invitation_id: int):
    invitation = get_object_or_404(
        MemberInvitation.objects.select_related("organisation").filter(organisation=request.organisation),
        pk=invitation_id,
    )
    back = reverse("backoffice:members", args=[request.organisation.slug])
    if request.method == "POST":
        try:
            services.withdraw_invitation(invitation=invitation, actor=request.user)
        except InvitationInvalid as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
            )
        return redirect(back)
    if not invitation.is_pending:
        messages.error(request, _("This invitation is no longer open."))
        return redirect(back)
    return render(
        request,
        "backoffice/confirm.html",
        {
            "title": _("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
            "lead": _("The link in the e-mail stops working at once. No e-mail is sent."),
            "button": _("Withdraw the invitation"),
            "danger": True,
            "back_url": back,
        },
    )


def _posted(request):
    """The submitted data on a POST (even an empty one, so that it is checked), None on a GET."""
    return request.POST if request.method == "POST" else None


def _after_change(request):
    """Back to the member list, or home if the change took the member's own right to see it."""
    member = access.membership(request.user, request.organisation)
    if access.has_permission(member, Permission.MANAGE_MEMBERS):
        return redirect("backoffice:members", request.organisation.slug)
    return redirect("backoffice:home")


# --- Accepting an invitation (the link in the e-mail; not under an organisation) ---------------


@secret_link
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request, token: str):
    """The invitation's page: a new person chooses a password; one with an account signs in and accepts.

    GET never accepts (mail scanners open links); the button does. Owners and organisers go
    straight on to set up two-factor authentication.
    """
    try:
        invitation = services.find_invitation(token)
    except InvitationInvalid as error:
        return _invalid(request, error)
    user = request.user if request.user.is_authenticated else None
    has_account = user is None and get_user_model().objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(_posted(request)) if user is None and not has_account else None
    other_account = user is not None and not services.has_address(user, invitation.email)
    if (
        request.method == "POST"
        and not has_account
        and not other_account
        and (form is None or form.is_valid())
    ):
        try:
            member = services.accept_invitation(
                token=token, user=user, password=form.cleaned_data["password"] if form else None
            )
        except InvitationInvalid as error:
            return _invalid(request, error)
        except AccountExists:
            has_account, form = True, None
        except InvalidInput as error:
            form.add_service_errors(error)
        except AlreadyMember as error:
            messages.info(request, str(error))
            return redirect("backoffice:events", invitation.organisation.slug)
        else:
            if user is None:
                sign_in_new_person(request, member.user)
            messages.success(
                request,
                _("Welcome to %(organisation)s's back office!")
                % {"organisation": invitation.organisation.name},
            )
            if member.role in access.ROLES_REQUIRING_TWO_FACTOR and not is_mfa_enabled(member.user):
                return redirect("mfa_activate_totp")
            return redirect("backoffice:events", invitation.organisation.slug)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": services.role_in_words(invitation.role),
        "expires": _date(invitation.expires_at),
        "form": form,
        "has_account": has_account,
        "other_account": other_account,
        "login_url": reverse("account_login") + "?" + urlencode({"next": request.path}),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/invitation_accept.html", context, status=status)


def _invalid(request, error: InvitationInvalid):
    # An unknown link is "not found"; one that worked once and no longer does is "gone".
    status = 404 if error.reason == "unknown" else 410
    return render(request, "backoffice/invitation_invalid.html", {"error": error}, status=status)


def _date(moment) -> str:
    from frukost.core import formats

    return formats.long_date(moment)
