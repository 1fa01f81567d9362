"""A person's own data: see it, download it, erase it; by personal link or by a link e-mailed on request."""

from __future__ import annotations

import contextlib
import json
import logging

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from frukost.events.models import STOCKHOLM
from frukost.privacy.exceptions import AlreadyErased, LinkInvalid
from frukost.privacy.selfservice import (
    data_for_link,
    erase_invitations,
    erase_registration,
    erasure_case,
    invitations_on_link,
    personal_data,
    personal_data_of,
    personal_page_link,
    registration_on_link,
    request_data_link,
)
from frukost.public import throttle
from frukost.public.views import personal_page, private, secret_page
from frukost.registrations.exceptions import LinkExpired
from frukost.registrations.forms import StrictEmailField
from frukost.registrations.links import link_for_token
from frukost.registrations.models import Registration

logger = logging.getLogger(__name__)


def _json_download(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(stem: str) -> str:
    return f"{stem}-{timezone.localdate(timezone=STOCKHOLM).isoformat()}.json"


# --- From the personal link ------------------------------------------------------------------


@personal_page
@require_safe
def registration_data(request, token, link):
    """Everything stored about this registration, readable."""
    registration = link.registration
    context = {
        "registration": registration,
        "event": registration.event,
        "organisation": registration.event.organisation,
        "data": personal_data(registration),
        "token": token,
    }
    return render(request, "public/selfservice/registration_data.html", context)


@personal_page
@require_safe
def registration_data_json(request, token, link):
    registration = link.registration
    return _json_download(personal_data(registration), _filename(str(_("my-data"))))


@secret_page
@require_http_methods(["GET", "HEAD", "POST"])
def registration_erase(request, token):
    """What erasing means, and the button that does it (a POST: mail scanners open links)."""
    try:
        link = link_for_token(token)
    except LinkExpired as expired:
        # Long after the event: the same kind page as the other /r/ pages, which points to the
        # data-request form (that still reaches the registration).
        event = expired.event
        context = {"event": event, "organisation": event.organisation}
        return render(request, "public/link_expired.html", context, status=410)
    registration = link.registration if link else None
    if registration is None:
        if request.method == "POST":
            # A second click after the first erased it: the link is gone, and so is everything
            # it led to. The done page says only that (the same for any link), never a 404.
            return redirect("public:erased")
        raise Http404
    if request.method == "POST":
        with contextlib.suppress(AlreadyErased):  # two quick clicks: the first did it
            erase_registration(registration=registration)
        return redirect("public:erased")
    context = {
        "registration": registration,
        "event": registration.event,
        "organisation": registration.event.organisation,
        "token": token,
        "case": str(erasure_case(registration)),
    }
    return render(request, "public/selfservice/registration_erase.html", context)


@private
@require_safe
def erased(request):
    return render(request, "public/selfservice/erased.html")


# --- By e-mail address -----------------------------------------------------------------------


class DataRequestForm(forms.Form):
    email = StrictEmailField(
        label=_("Your e-mail address"),
        help_text=_("The address you registered with."),
        error_messages={
            "required": _("Write the e-mail address you registered with."),
            "invalid": _("Write the e-mail address like this: namn@exempel.se"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def data_request(request):
    """Ask for a link to everything held about an address. The answer never says whether it is known."""
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not throttle.data_request_allowed(request):
        # The client's own limit (the same kind answer as the event page's): it says nothing
        # about the address. The cap per address is in the service, and answers as below.
        context = {"form": form, "rate_limited": True}
        response = TemplateResponse(request, "public/selfservice/data_request.html", context, status=429)
        response["Retry-After"] = "300"
        return response
    if request.method == "POST" and form.is_valid():
        request_data_link(email=form.cleaned_data["email"], language=translation.get_language())
        # Rendered, not redirected, and the same for every valid address: whether a mail went
        # out (known, unknown, over the hourly limit) is not to be read from the answer.
        return TemplateResponse(request, "public/selfservice/data_request.html", {"sent": True})
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "public/selfservice/data_request.html", {"form": form}, status=status)


def _link_invalid(request):
    return render(request, "public/selfservice/data_request_invalid.html", status=404)


def _grouped(registrations: list[Registration]) -> list[dict]:
    """By organisation, then event, keeping the newest-first order of the list."""
    organisations: dict[int, dict] = {}
    for registration in registrations:
        event = registration.event
        group = organisations.setdefault(
            event.organisation_id, {"organisation": event.organisation, "events": {}}
        )
        entries = group["events"].setdefault(event.pk, {"event": event, "registrations": []})
        entries["registrations"].append(
            {
                "registration": registration,
                "data": personal_data(registration),
                "prefix": f"r{registration.pk}-",
            }
        )
    return [
        {"organisation": group["organisation"], "events": list(group["events"].values())}
        for group in organisations.values()
    ]


def _list_context(link, token: str, **extra) -> dict:
    return {"groups": _grouped(link.registrations), "invitations": link.invitations, "token": token, **extra}


@secret_page
@require_http_methods(["GET", "HEAD", "POST"])
def data_request_list(request, token):
    """Every registration of the address the link was sent to, and what invitation lists hold of it
    at organisations it has no registration with; erase one, or open a registration's personal page."""
    try:
        link = data_for_link(token)
    except LinkInvalid:
        # Expired, or a second click after the last registration on it was erased: the page says
        # both (never "your data is erased" for a link that merely expired).
        return _link_invalid(request)
    registrations = link.registrations
    here = reverse("public:data-request-list", kwargs={"token": token})
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("erase-invitations", "confirm-erase-invitations"):
            data = invitations_on_link(link, request.POST.get("organisation"))
            if data is None:
                return TemplateResponse(
                    request,
                    "public/selfservice/data_request_list.html",
                    _list_context(link, token, error=True),
                    status=400,
                )
            if action == "erase-invitations":
                return TemplateResponse(
                    request,
                    "public/selfservice/data_request_erase_invitations.html",
                    {"data": data, "token": token},
                )
            erase_invitations(data=data)
            if len(registrations) + len(link.invitations) == 1:
                return redirect("public:erased")
            return redirect(here + "?done=invitations-erased")
        chosen = registration_on_link(registrations, request.POST.get("registration"))
        if chosen is None or action not in ("erase", "confirm-erase", "open"):
            return TemplateResponse(
                request,
                "public/selfservice/data_request_list.html",
                _list_context(link, token, error=True),
                status=400,
            )
        if action == "open":
            return redirect(personal_page_link(registration=chosen))
        if action == "erase":  # first say what will happen; the second button erases
            context = {
                "registration": chosen,
                "event": chosen.event,
                "organisation": chosen.event.organisation,
                "token": token,
                "case": str(erasure_case(chosen)),
                "invitation_data": chosen._invitation_data,
            }
            return TemplateResponse(request, "public/selfservice/data_request_erase.html", context)
        with contextlib.suppress(AlreadyErased):
            erase_registration(registration=chosen)
        if len(registrations) + len(link.invitations) == 1:
            return redirect("public:erased")
        return redirect(here + "?done=erased")
    context = _list_context(link, token, done=request.GET.get("done", ""))
    return TemplateResponse(request, "public/selfservice/data_request_list.html", context)


@secret_page
@require_safe
def data_request_json(request, token):
    try:
        link = data_for_link(token)
    except LinkInvalid:
        return _link_invalid(request)
    return _json_download(
        personal_data_of(link.registrations, link.invitations), _filename(str(_("my-data")))
    )
