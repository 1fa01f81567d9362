"""The organisation's do-not-mail list (spärrlista): the addresses it sends no invitations to.

Owners and organisers see who is on it and why (unsubscribed, undeliverable, added by an
organiser), search it by address, add an address when someone asks by phone or e-mail, take a
bounced or organiser-added one off again (the address was fixed, or added by mistake) and export it
as CSV. An unsubscribe has no remove button: only the person can undo it, by asking for
invitations again (contacts.services.record_consent). The rules are in contacts.suppression.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import member_required
from frukost.contacts.enums import SuppressionReason
from frukost.contacts.exceptions import AlreadySuppressed, InvalidSuppression, UnsubscribeIsThePersons
from frukost.contacts.exports import export_suppressions
from frukost.contacts.models import Suppression
from frukost.contacts.queries import suppressions_for
from frukost.contacts.suppression import DETAIL_MAX_LENGTH, add_address, remove_address

PAGE_SIZE = 50


class SuppressionFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search by e-mail address"), required=False, max_length=200)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        required=False,
        choices=[("", gettext_lazy("Every reason")), *SuppressionReason.choices],
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"search": (data.get("q") or "").strip(), "reason": data.get("reason") or ""}


class AddForm(forms.Form):
    """The address and the note; the service validates both (and says what is wrong)."""

    email = forms.CharField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    detail = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("Why, in a few words: “Asked by phone 3 December”."),
        required=False,
        max_length=DETAIL_MAX_LENGTH,
    )


def _list_url(request) -> str:
    return reverse("backoffice:suppressions", args=[request.organisation.slug])


def _render(request, *, add_form: AddForm | None = None, status: int = 200):
    organisation = request.organisation
    filter_form = SuppressionFilter(request.GET or None)
    filters = filter_form.filters() if filter_form.is_bound else {"search": "", "reason": ""}
    page = Paginator(suppressions_for(organisation, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if filter_form.is_bound and not filter_form.is_valid():
        status = 400
    return render(
        request,
        "backoffice/suppression_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filters": filters,
            "query": query.urlencode(),
            "add_form": add_form or AddForm(),
            "total": Suppression.objects.filter(organisation=organisation).count(),
            "unsubscribed": SuppressionReason.UNSUBSCRIBED.value,
        },
        status=status,
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def suppression_list(request):
    return _render(request)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_POST
def suppression_add(request):
    form = AddForm(request.POST)
    if form.is_valid():
        try:
            row = add_address(
                organisation=request.organisation,
                email=form.cleaned_data["email"],
                detail=form.cleaned_data["detail"],
                actor=request.user,
            )
        except InvalidSuppression as refused:
            form.add_error(refused.field, str(refused))
        except AlreadySuppressed as already:
            form.add_error(
                "email",
                _("The address is on the list already (%(reason)s).")
                % {"reason": SuppressionReason(already.reason).label},
            )
        else:
            messages.success(request, _("%(email)s gets no more invitations.") % {"email": row.email})
            return redirect(_list_url(request))
    return _render(request, add_form=form, status=400)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def suppression_remove(request, suppression_id: int):
    row = get_object_or_404(Suppression, pk=suppression_id, organisation=request.organisation)
    back = _list_url(request)
    if row.reason == SuppressionReason.UNSUBSCRIBED:
        return render(
            request,
            "backoffice/suppression_unsubscribed.html",
            {"row": row, "back_url": back},
            status=400 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        try:
            remove_address(suppression=row, actor=request.user)
        except UnsubscribeIsThePersons:  # the person unsubscribed a moment ago
            messages.error(
                request, _("%(email)s unsubscribed: only they can undo that.") % {"email": row.email}
            )
        else:
            messages.success(request, _("%(email)s can be invited again.") % {"email": row.email})
        return redirect(back)
    consequences = [
        _("Later invitation lists may include %(email)s again.") % {"email": row.email},
        _("No e-mail is sent."),
    ]
    if row.reason == SuppressionReason.BOUNCED:
        consequences.insert(
            0, _("Do this only if the address works again: the mail server refused it for good.")
        )
    return render(
        request,
        "backoffice/confirm.html",
        {
            "title": _("Take %(email)s off the do-not-mail list?") % {"email": row.email},
            "lead": _("On the list because: %(reason)s.") % {"reason": row.get_reason_display()},
            "consequences": consequences,
            "button": _("Take off the list"),
            "danger": True,
            "back_url": back,
        },
    )


@member_required(Permission.EXPORT)
@require_POST
def suppressions_export(request):
    return _export(request)


# The file is personal data (addresses): a recent password first, as for the other exports.
@reauthentication_required(allow_get=True)
def _export(request):
    form = SuppressionFilter(request.POST)
    if not form.is_valid():
        messages.error(request, _("The export could not be made; check your choices."))
        return redirect(_list_url(request))
    export = export_suppressions(organisation=request.organisation, actor=request.user, **form.filters())
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
