"""The organisation's own settings: name, brand colour, website, membership question, privacy contact."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frukost.accounts import services
from frukost.accounts.enums import Permission
from frukost.accounts.exceptions import InvalidInput
from frukost.accounts.forms import OrganisationSettingsForm
from frukost.backoffice.decorators import member_required

FIELDS = ("name", "colour", "website", "membership_question", "privacy_contact")


@member_required(Permission.MANAGE_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_settings(request):
    organisation = request.organisation
    initial = {field: getattr(organisation, field) for field in FIELDS}
    form = OrganisationSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(organisation=organisation, actor=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("backoffice:organisation-settings", organisation.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/organisation_settings.html", {"form": form}, status=status)
