"""Where a signed-in person lands: their organisations, or the one they belong to."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from frukost.accounts import access
from frukost.accounts.models import OrganisationMember
from frukost.backoffice import navigation
from frukost.backoffice.decorators import signed_in


@signed_in
@require_GET
def home(request):
    memberships = list(
        OrganisationMember.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    if len(memberships) == 1:
        return redirect(navigation.landing_url(memberships[0]))
    for member in memberships:
        member.landing_url = navigation.landing_url(member)
    return render(request, "backoffice/home.html", {"memberships": memberships})


@signed_in
@require_GET
def two_factor_required(request):
    """Owners and organisers see union membership: they set up a second factor before going on."""
    if is_mfa_enabled(request.user) or not access.requires_two_factor(request.user):
        return redirect("backoffice:home")
    return render(request, "backoffice/two_factor_required.html")
