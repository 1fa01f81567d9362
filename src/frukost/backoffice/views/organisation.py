"""The organisation's own settings: name, brand colour, website, membership question, privacy contact,
and its retention schedule (how long each kind of personal data is kept)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frukost.accounts import services
from frukost.accounts.enums import Permission
from frukost.accounts.exceptions import InvalidInput
from frukost.accounts.forms import OrganisationSettingsForm, RetentionForm
from frukost.backoffice.decorators import member_required
from frukost.events.models import RETENTION_LIMITS

FIELDS = ("name", "colour", "website", "membership_question", "privacy_contact")


@member_required(Permission.MANAGE_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_settings(request):
    """Two forms on one page; the hidden `section` says which one was sent."""
    organisation = request.organisation
    section = request.POST.get("section", "settings") if request.method == "POST" else ""
    form = OrganisationSettingsForm(
        request.POST if section == "settings" else None,
        initial={field: getattr(organisation, field) for field in FIELDS},
    )
    retention_form = RetentionForm(
        request.POST if section == "retention" else None,
        initial={field: getattr(organisation, field) for field in RETENTION_LIMITS},
        prefix="retention",
    )
    if section == "settings" and form.is_valid():
        try:
            services.update_organisation(organisation=organisation, actor=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("backoffice:organisation-settings", organisation.slug)
    elif section == "retention" and retention_form.is_valid():
        try:
            services.update_retention(
                organisation=organisation, actor=request.user, periods=retention_form.periods()
            )
        except InvalidInput as error:
            retention_form.add_service_errors(error)
        else:
            messages.success(request, _("The retention periods were saved. The privacy notice shows them."))
            return redirect(
                reverse("backoffice:organisation-settings", args=[organisation.slug]) + "#retention"
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "backoffice/organisation_settings.html",
        {
            "form": form,
            "retention_form": retention_form,
            "notice_url": reverse("public:organisation-privacy", kwargs={"organisation": organisation.slug}),
        },
        status=status,
    )
