"""The people who asked the organisation for future invitations: who, when, with what words.

Removing a contact is withdrawing their consent on their behalf (they asked by phone or e-mail):
the contact is deleted and the box is unticked on their registrations.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import member_required
from frukost.contacts.models import Contact
from frukost.contacts.queries import contacts_for
from frukost.registrations.services import withdraw_future_invitations

PAGE_SIZE = 50


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def contact_list(request):
    search = request.GET.get("q", "")[:200].strip()
    page = Paginator(contacts_for(request.organisation, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/contact_list.html",
        {
            "page": page,
            "search": search,
            "total": Contact.objects.filter(organisation=request.organisation).count(),
        },
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_remove(request, contact_id: int):
    contact = get_object_or_404(Contact, pk=contact_id, organisation=request.organisation)
    back = reverse("backoffice:contacts", args=[request.organisation.slug])
    if request.method == "POST":
        withdraw_future_invitations(
            organisation=request.organisation, email=contact.email, actor=request.user
        )
        messages.success(request, _("%(email)s gets no more invitations.") % {"email": contact.email})
        return redirect(back)
    return render(
        request,
        "backoffice/confirm.html",
        {
            "title": _("Remove %(name)s from the invitation list?")
            % {"name": contact.full_name or contact.email},
            "lead": _("Do this when the person asks for no more invitations."),
            "consequences": [
                _(
                    "Their consent is withdrawn and the contact deleted: %(email)s is no longer kept for "
                    "invitations."
                )
                % {"email": contact.email},
                _("Their registrations keep their own periods and are erased on schedule."),
                _("No e-mail is sent."),
            ],
            "button": _("Remove from the invitation list"),
            "danger": True,
            "back_url": back,
        },
    )
