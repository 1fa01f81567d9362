"""The pages an invitation mail's links open (frukost.invitations).

- `/i/<token>/`: the event page with the registration form filled in from the list (for a series,
  its open events, each with its own form). Using the link is what "opened" means in the funnel.
  The form is the public one and behaves exactly like it (deadline, seats, waiting list,
  colleagues, rate limits); a registration through it is linked to the invitee.
- `/i/<token>/kan-inte-komma/`: "I can't come", a page with a button (only a POST declines).
- `/i/<token>/avregistrera/` (the unsubscribe link's own token): a page with a button, and the mail
  client's RFC 8058 one-click POST (`List-Unsubscribe=One-Click`, no cookies, no CSRF token: the
  token is the authority).

All of them are secret URLs: no referrer, not cached, not indexed, redacted from logs.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from frukost.events.enums import RegistrationState
from frukost.invitations import responses
from frukost.invitations.enums import LinkPurpose
from frukost.invitations.links import LinkExpired, invitee_for_token
from frukost.public.views import (
    _private_headers,
    _rate_limited_message,
    _thank_you_redirect,
    _within_rate_limits,
    secret_page,
)
from frukost.registrations import queries
from frukost.registrations.exceptions import (
    ColleagueLimitReached,
    ColleagueNotAllowed,
    EventNotOpen,
    RegistrationClosed,
)
from frukost.registrations.forms import RegistrationForm

ONE_CLICK = "One-Click"


def _unknown(request):
    return render(request, "public/invitation_unknown.html", status=404)


def _in_their_language(request, invitee) -> None:
    """The invitee's language from the list, unless they chose one on the site."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and invitee.language:
        translation.activate(invitee.language)
        request.LANGUAGE_CODE = invitee.language


def _opened(request, invitee) -> None:
    """The link was used: the funnel's "opened". Not for a HEAD request, which a link checker or a
    mail scanner sends without anyone looking at the page."""
    if request.method != "HEAD":
        responses.open_invitation(invitee)


def invitation_page(view):
    """For the answer link's pages: the view gets the invitee; unknown is a kind 404, an
    invitation to an event long over a kind 410."""

    @secret_page
    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            invitee = invitee_for_token(token, LinkPurpose.INVITE)
        except LinkExpired as expired:
            invitation_list = expired.invitee.invitation_list
            context = {"organisation": invitation_list.organisation}
            return render(request, "public/invitation_expired.html", context, status=410)
        if invitee is None:
            return _unknown(request)
        _in_their_language(request, invitee)
        return view(request, *args, token=token, invitee=invitee, **kwargs)

    return wrapper


@invitation_page
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token, invitee):
    """The invitation: the event's page and prefilled form, or a series' open events."""
    _opened(request, invitee)
    invitation_list = invitee.invitation_list
    if invitation_list.event_id:
        return _event_page(request, token, invitee, invitation_list.event)
    context = {
        "invitee": invitee,
        "organisation": invitation_list.organisation,
        "series": invitation_list.series,
        "events": responses.open_events(invitation_list),
        "registration": responses.registration_for(invitee),
        "token": token,
    }
    return render(request, "public/invitation_series.html", context)


@invitation_page
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_event(request, token, invitee, event):
    """One of a series' events, with the prefilled form."""
    _opened(request, invitee)
    match = responses.list_events(invitee.invitation_list).filter(slug=event).select_related("organisation")
    found = match.exclude(status="draft").first()
    if found is None:
        return _unknown(request)
    return _event_page(request, token, invitee, found)


def _event_page(request, token, invitee, event):
    """The public event page and form (public.views.event_detail), filled in from the list and
    registering through the invitation."""
    taken = queries.taken_seats(event)  # as the public page: a seat offered from the queue is taken
    state = queries.registration_state(event, seats_taken=taken)
    form = None
    if state in (RegistrationState.OPEN, RegistrationState.FEW_LEFT, RegistrationState.WAITING_LIST):
        data = request.POST if request.method == "POST" else None  # an empty POST is bound (errors shown)
        form = RegistrationForm(data, event=event, initial=responses.prefill(invitee))
    status = 200
    rate_limited = ""
    if request.method == "POST":
        if form is None:
            status = 409
        elif not form.is_valid():
            status = 400
        elif not _within_rate_limits(request, event, form):
            rate_limited = _rate_limited_message()
            status = 429
        else:
            try:
                result = responses.register_invitee(
                    invitee=invitee,
                    event=event,
                    person=form.person(translation.get_language()),
                    colleagues=form.colleagues(),
                )
            except (RegistrationClosed, EventNotOpen):
                form = None
                state = RegistrationState.CLOSED
                status = 409
            except ColleagueLimitReached:
                # The organiser lowered the limit while this form was being checked.
                form.add_error(
                    None,
                    _(
                        "The organiser has just changed how many colleagues you can bring. Check your "
                        "colleagues and send the form again."
                    ),
                )
                status = 400
            except ColleagueNotAllowed:
                form.add_error(
                    None,
                    _(
                        "Check the colleagues' e-mail addresses: each needs an address of their "
                        "own, different from yours."
                    ),
                )
                status = 400
            else:
                return _thank_you_redirect(request, event, result, colleagues=len(form.colleagues()))
    context = {
        "event": event,
        "organisation": event.organisation,
        "state": state,
        "states": RegistrationState,
        "seats_left": queries.seats_left(event, taken),
        "form": form,
        "rate_limited": rate_limited,
        "invitee": invitee,
        "token": token,
        "registration": responses.registration_for(invitee),
    }
    response = TemplateResponse(request, "public/invitation_event.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "300"
    return response


@invitation_page
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_decline(request, token, invitee):
    """ "I can't come": a page with a button; only the POST records it."""
    here = reverse("public:invitation-decline", kwargs={"token": token})
    status = 200
    if request.method == "POST":
        try:
            responses.decline(invitee=invitee)
        except responses.AlreadyRegistered:
            status = 409
        else:
            return redirect(f"{here}?done=1")
    _opened(request, invitee)
    invitation_list = invitee.invitation_list
    context = {
        "invitee": invitee,
        "organisation": invitation_list.organisation,
        "events": list(responses.list_events(invitation_list).order_by("starts_at")),
        "registration": responses.registration_for(invitee),
        "declined": invitee.declined_at is not None,
        "token": token,
    }
    return TemplateResponse(request, "public/invitation_decline.html", context, status=status)


def _unsubscribe_page(view):
    """Like secret_page, but a mail client's one-click POST (no cookies, from its own servers)
    is answered before anything else looks at the request."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.secret_url = True
        return _private_headers(view(request, *args, **kwargs))

    return wrapper


@_unsubscribe_page
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_unsubscribe(request, token):
    invitee = invitee_for_token(token, LinkPurpose.UNSUBSCRIBE)
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == ONE_CLICK
    if one_click:
        # RFC 8058: the mail client's button. A short answer, no redirect, no page.
        if invitee is None:
            return HttpResponseNotFound(
                b"Unknown unsubscribe link.\n", content_type="text/plain; charset=utf-8"
            )
        responses.unsubscribe(invitee=invitee)
        return HttpResponse(b"Unsubscribed.\n", content_type="text/plain; charset=utf-8")
    if invitee is None:
        return _unknown(request)
    _in_their_language(request, invitee)
    if request.method == "POST":
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            return render(request, "public/csrf_failure.html", status=403)
        if "language" in request.POST and "action" not in request.POST:
            from django.views.i18n import set_language

            return set_language(request)
        if request.POST.get("action") != "unsubscribe":
            return _unsubscribe_response(request, invitee, token, status=400)
        responses.unsubscribe(invitee=invitee)
        return redirect(reverse("public:invitation-unsubscribe", kwargs={"token": token}) + "?done=1")
    return _unsubscribe_response(request, invitee, token)


def _unsubscribe_response(request, invitee, token, *, status=200):
    context = {
        "invitee": invitee,
        "organisation": invitee.invitation_list.organisation,
        "unsubscribed": invitee.unsubscribed_at is not None,
        "email": invitee.email,
        "token": token,
    }
    return render(request, "public/invitation_unsubscribe.html", context, status=status)
