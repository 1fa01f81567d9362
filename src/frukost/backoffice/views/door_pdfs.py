"""The door list and the name badges as PDF, to print: for door staff and organisers alike."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required

# registrations.door_documents is imported in the views, not here: it loads ReportLab (and
# Pillow), about 9 MB in every web worker that would otherwise never print a PDF.


def _pdf(content: bytes, name: str, event) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # The slug is [a-z0-9-] only: nothing in it can break out of the header's quotes.
    response["Content-Disposition"] = f'attachment; filename="{name}-{event.slug}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@member_required(Permission.CHECK_IN)
@require_GET
def door_list_pdf(request, event_id: int):
    event = event_for(request, event_id, Permission.CHECK_IN)
    from frukost.registrations import door_documents

    content = door_documents.door_list_pdf(event, actor=request.user)
    return _pdf(content, _("door-list"), event)


@member_required(Permission.CHECK_IN)
@require_GET
def badges_pdf(request, event_id: int):
    event = event_for(request, event_id, Permission.CHECK_IN)
    from frukost.registrations import door_documents

    content = door_documents.badges_pdf(event, actor=request.user)
    return _pdf(content, _("name-badges"), event)
