"""Exporting registrations: choose format and columns; the password is asked again first."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.registrations.exceptions import ExportError, SpecialCategoryNotAllowed
from frukost.registrations.export_forms import ExportForm
from frukost.registrations.exports import export_registrations


@member_required(Permission.EXPORT)
@require_http_methods(["GET", "HEAD", "POST"])
def event_export(request, event_id: int):
    # The event first: another organisation's id answers 404 whether or not a password is due.
    event = event_for(request, event_id, Permission.EXPORT)
    return _export(request, event)


# The file is personal data: a recent password (ACCOUNT_REAUTHENTICATION_TIMEOUT) before it is
# made. The form itself opens without; allauth replays the POST after the password is given.
@reauthentication_required(allow_get=True)
def _export(request, event):
    form = ExportForm(request.POST or None, member=request.member)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                export = export_registrations(
                    event=event,
                    columns=form.cleaned_data["chosen_columns"],
                    format=form.cleaned_data["format"],
                    statuses=form.cleaned_data["statuses"],
                    actor=request.user,
                    member=request.member,
                )
            except SpecialCategoryNotAllowed as exc:
                raise PermissionDenied from exc
            except ExportError:
                form.add_error(None, _("The export could not be made; check your choices."))
            else:
                response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
                response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
                return response
    return render(request, "backoffice/export.html", {"event": event, "form": form}, status=status)
