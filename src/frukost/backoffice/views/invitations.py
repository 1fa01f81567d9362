"""Invitation lists of an event or a series: the lists, an import (upload → preview → confirm), a list.

The uploaded file is kept by frukost.invitations.staging between the preview and the confirmation
(bound to the member and organisation, deleted after an hour); the preview's choices (columns,
delimiter, sheet) travel in its GET query and the confirmation's POST, so nothing is written until
the organiser confirms. Membership (GDPR art. 9) can be chosen and is shown only to a role with
VIEW_SPECIAL_CATEGORY.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, invitation_list_for, member_required
from frukost.backoffice.views import invitation_sending
from frukost.contacts.models import Contact
from frukost.events.models import Event, Series
from frukost.invitations import importing, queries, services, staging
from frukost.invitations.enums import ListSource
from frukost.invitations.exceptions import InvitationError, NoEmailColumn, UploadExpired
from frukost.invitations.forms import MappingForm, UploadForm
from frukost.invitations.importing import Field, RowKind
from frukost.invitations.models import InvitationList

ROWS_PER_PAGE = 100
INVITEES_PER_PAGE = 50
PERMISSION = Permission.MANAGE_EVENTS


def _target(request, event_id=None, series_id=None) -> Event | Series:
    if event_id is not None:
        return event_for(request, event_id, PERMISSION)
    return get_object_or_404(Series.objects.filter(organisation=request.organisation), pk=series_id)


def _url(name: str, target, *extra) -> str:
    prefix = "event" if isinstance(target, Event) else "series"
    return reverse(f"backoffice:{prefix}-{name}", args=[target.organisation.slug, target.pk, *extra])


def _context(target, **values) -> dict:
    kind = "event" if isinstance(target, Event) else "series"
    base = "backoffice/event_base.html" if kind == "event" else "backoffice/invitations/series_base.html"
    return {"target": target, "target_kind": kind, kind: target, "base_template": base} | values


def _may_see_membership(request) -> bool:
    return access.has_permission(request.member, Permission.VIEW_SPECIAL_CATEGORY)


# --- the lists ---------------------------------------------------------------------------------


def _lists(request, target):
    return TemplateResponse(
        request,
        "backoffice/invitations/list_index.html",
        _context(
            target,
            lists=list(queries.lists_for(target)),
            contact_count=Contact.objects.filter(organisation=request.organisation).count(),
            import_url=_url("invitation-import", target),
            contacts_url=_url("invitation-contacts", target),
            # The funnel of the target's lists (inv-send).
            **invitation_sending.target_funnel_context(target),
        ),
    )


@member_required(PERMISSION)
@require_GET
def event_lists(request, event_id: int):
    return _lists(request, _target(request, event_id=event_id))


@member_required(PERMISSION)
@require_GET
def series_lists(request, series_id: int):
    return _lists(request, _target(request, series_id=series_id))


# --- upload --------------------------------------------------------------------------------------


def _upload(request, target):
    form = UploadForm()
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                importing.read_table(data)  # refuse what cannot be read here, with its reason
            except InvitationError as exc:
                form.add_error("file", str(exc.message))
            else:
                token = _stage(request, target, data=data, filename=form.cleaned_data["file"].name)
                return redirect(_url("invitation-preview", target, token))
        status = 400
    return TemplateResponse(
        request,
        "backoffice/invitations/import_upload.html",
        _context(target, form=form, lists_url=_url("invitations", target)),
        status=status,
    )


def _expired(request, target):
    """An upload that is gone (purged after an hour, or never this member's): 404, with the form."""
    return TemplateResponse(
        request,
        "backoffice/invitations/import_upload.html",
        _context(
            target,
            form=UploadForm(),
            error=str(UploadExpired.message),
            lists_url=_url("invitations", target),
            action=_url("invitation-import", target),
        ),
        status=404,
    )


def _stage(request, target, *, data: bytes, filename: str, source=ListSource.FILE) -> str:
    return staging.stage(
        data=data,
        filename=filename,
        organisation_id=request.organisation.pk,
        member_id=request.member.pk,
        event_id=target.pk if isinstance(target, Event) else None,
        series_id=target.pk if isinstance(target, Series) else None,
        source=source,
    )


@member_required(PERMISSION)
@require_http_methods(["GET", "HEAD", "POST"])
def event_import(request, event_id: int):
    return _upload(request, _target(request, event_id=event_id))


@member_required(PERMISSION)
@require_http_methods(["GET", "HEAD", "POST"])
def series_import(request, series_id: int):
    return _upload(request, _target(request, series_id=series_id))


def _from_contacts(request, target):
    token = _stage(request, target, data=b"", filename="", source=ListSource.CONTACTS)
    return redirect(_url("invitation-preview", target, token))


@member_required(PERMISSION)
@require_POST
def event_from_contacts(request, event_id: int):
    return _from_contacts(request, _target(request, event_id=event_id))


@member_required(PERMISSION)
@require_POST
def series_from_contacts(request, series_id: int):
    return _from_contacts(request, _target(request, series_id=series_id))


# --- preview and confirm -------------------------------------------------------------------------


def _preview(request, target, upload_token: str):
    try:
        upload = staging.load(
            upload_token, organisation_id=request.organisation.pk, member_id=request.member.pk
        )
    except UploadExpired:
        if request.method == "POST":  # a second submission after the first imported: find its list
            return _confirm(request, target, upload_token, form=None)
        list_id = staging.imported_as(
            upload_token, organisation_id=request.organisation.pk, member_id=request.member.pk
        )
        if list_id is not None:  # the browser's back button after the import
            return redirect("backoffice:invitation-list", request.organisation.slug, list_id)
        return _expired(request, target)
    if (upload.event_id, upload.series_id) != (
        target.pk if isinstance(target, Event) else None,
        target.pk if isinstance(target, Series) else None,
    ):
        raise Http404
    include_membership = _may_see_membership(request)
    params = request.POST if request.method == "POST" else request.GET
    form, table, people, error = None, None, [], ""
    if upload.source == ListSource.CONTACTS:
        people = services.people_from_contacts(request.organisation)
    else:
        chosen = bool(params.get("delimiter") or params.get("sheet"))
        try:
            table = importing.read_table(
                upload.data, delimiter=params.get("delimiter", ""), sheet=params.get("sheet", "")
            )
        except InvitationError as exc:
            if not chosen:  # the file itself cannot be read (any more): upload it again
                staging.discard(upload_token)
                messages.error(request, str(exc.message))
                return redirect(_url("invitation-import", target))
            # The delimiter or sheet the organiser chose cannot be read (an empty second sheet):
            # keep the file and show it as first read, with why the choice did not work.
            error = str(exc.message)
            table = importing.read_table(upload.data)
        # The columns chosen for another delimiter or sheet do not fit this one: guess again.
        bound = "column_email" in params and params.get("read_as") == _read_as(table)
        form = MappingForm(params if bound else None, table=table, include_membership=include_membership)
        try:
            people = importing.people_from(table, form.mapping(), include_membership=include_membership)
        except NoEmailColumn as exc:
            error = error or str(exc.message)
    if request.method == "POST" and not error:
        return _confirm(request, target, upload_token, form=form)
    return _render_preview(
        request,
        target,
        upload,
        table,
        form,
        people,
        error,
        status=400 if error and request.method == "POST" else 200,
    )


def _render_preview(request, target, upload, table, form, people, error, *, status=200, confirm_error=""):
    include_membership = _may_see_membership(request)
    preview = (
        importing.classify(people, organisation_id=request.organisation.pk, target=target) if people else None
    )
    kind = request.GET.get("kind", "")
    rows = preview.rows if preview else []
    if kind in RowKind.values:
        rows = [row for row in rows if row.kind == kind]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("kind", None)
    mapping = form.mapping() if form else {}
    shows_membership = include_membership and Field.MEMBERSHIP in mapping
    # The confirmation sends the choices the preview was made with.
    hidden = [(f"column_{name}", str(index)) for name, index in mapping.items()]
    if table is not None:
        hidden += [("delimiter", table.delimiter), ("sheet", table.sheet), ("read_as", _read_as(table))]
    return TemplateResponse(
        request,
        "backoffice/invitations/import_preview.html",
        _context(
            target,
            upload=upload,
            table=table,
            form=form,
            error=error or confirm_error,
            preview=preview,
            kinds=[(k, label, preview.counts[k] if preview else 0) for k, label in RowKind.choices],
            kind=kind,
            page=page,
            query=query.urlencode(),
            page_query=(query.urlencode() + (f"&kind={kind}" if kind in RowKind.values else "")).lstrip("&"),
            shows_membership=shows_membership,
            include_membership=include_membership,
            hidden=hidden,
            default_name=_default_name(target, upload),
            lists_url=_url("invitations", target),
            preview_url=_url("invitation-preview", target, upload.token),
        ),
        status=status,
    )


def _read_as(table) -> str:
    return f"{table.kind}|{table.delimiter}|{table.sheet}"


def _default_name(target, upload) -> str:
    if upload.source == ListSource.CONTACTS:
        return _("Contacts who asked for invitations")
    return upload.filename.rsplit(".", 1)[0] or str(target)


def _confirm(request, target, upload_token: str, *, form):
    choices = services.FileChoices(
        mapping=form.mapping() if form else {},
        delimiter=request.POST.get("delimiter", ""),
        sheet=request.POST.get("sheet", ""),
        include_membership=_may_see_membership(request),
    )
    try:
        invitation_list = services.import_upload(
            token=upload_token,
            organisation=request.organisation,
            member=request.member,
            target=target,
            name=request.POST.get("name", ""),
            choices=choices,
            actor=request.user,
        )
    except UploadExpired:
        return _expired(request, target)
    except InvitationError as exc:
        upload = staging.load(
            upload_token, organisation_id=request.organisation.pk, member_id=request.member.pk
        )
        people = (
            services.people_from_contacts(request.organisation)
            if upload.source == ListSource.CONTACTS
            else _people_or_none(upload, form)
        )
        return _render_preview(
            request, target, upload, form.table if form else None, form, people, "", status=400,
            confirm_error=str(exc.message),
        )  # fmt: skip
    count = invitation_list.invitees.count()
    messages.success(
        request,
        ngettext(
            "%(count)s person is on the list “%(name)s”. Nothing has been sent yet.",
            "%(count)s people are on the list “%(name)s”. Nothing has been sent yet.",
            count,
        )
        % {"count": count, "name": invitation_list.name},
    )
    return redirect("backoffice:invitation-list", request.organisation.slug, invitation_list.pk)


def _people_or_none(upload, form):
    try:
        return importing.people_from(form.table, form.mapping(), include_membership=form.include_membership)
    except InvitationError:
        return []


@member_required(PERMISSION)
@require_http_methods(["GET", "HEAD", "POST"])
def event_preview(request, event_id: int, upload: str):
    return _preview(request, _target(request, event_id=event_id), upload)


@member_required(PERMISSION)
@require_http_methods(["GET", "HEAD", "POST"])
def series_preview(request, series_id: int, upload: str):
    return _preview(request, _target(request, series_id=series_id), upload)


# --- one list ------------------------------------------------------------------------------------


def list_of(request, list_id: int) -> InvitationList:
    return invitation_list_for(request, list_id, PERMISSION)


@member_required(PERMISSION)
@require_GET
def invitation_list(request, list_id: int):
    """The people on a list with where each one is (the sending and the funnel go in `sending`)."""
    invitation_list = list_of(request, list_id)
    target = invitation_list.event or invitation_list.series
    search = request.GET.get("q", "")[:200].strip()
    page = Paginator(queries.invitees_of(invitation_list, search=search), INVITEES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for invitee in page.object_list:
        invitee.status = queries.status_of(invitee)
    return TemplateResponse(
        request,
        "backoffice/invitations/list_detail.html",
        _context(
            target,
            invitation_list=invitation_list,
            page=page,
            search=search,
            # The pages' links keep the search (backoffice/invitations/_pages.html).
            search_query=urlencode({"q": search}) if search else "",
            total=invitation_list.invitees.count(),
            include_membership=_may_see_membership(request),
            lists_url=_url("invitations", target),
            # The invitation mail, its progress, the reminder and the funnel (inv-send).
            **invitation_sending.sending_context(invitation_list),
        ),
    )
