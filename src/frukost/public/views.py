"""Pages attendees see: the event list, the event with its form, and the personal link."""

from __future__ import annotations

import base64
import contextlib
import logging
import time
from functools import lru_cache, wraps

from django.core import signing
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django.views.i18n import set_language

from frukost.checkin import codes as checkin_codes
from frukost.events import queries as event_queries
from frukost.events.enums import EventStatus, RegistrationState
from frukost.events.models import Event, Organisation
from frukost.mail.ical import event_calendar
from frukost.privacy import notice
from frukost.public import page_cache, signed, throttle
from frukost.registrations import queries
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import (
    ColleagueLimitReached,
    ColleagueNotAllowed,
    EventNotOpen,
    LinkExpired,
    NotActive,
    RegistrationClosed,
    SeatReleased,
)
from frukost.registrations.forms import AnswersForm, ColleagueForm, RegistrationForm
from frukost.registrations.links import link_for_token, may_add_colleagues
from frukost.registrations.services import (
    add_colleague,
    cancel_registration,
    confirm_colleague,
    owner_may_add_colleague,
    register,
    update_answers,
)

DONE_COOKIE = "frukost_done"
_FORM_STATES = (RegistrationState.OPEN, RegistrationState.FEW_LEFT, RegistrationState.WAITING_LIST)
logger = logging.getLogger(__name__)


def private(view):
    """For pages reached by a secret link: never cached, never indexed, no referrer leaks."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _private_headers(view(request, *args, **kwargs))

    return wrapper


def _private_headers(response):
    # What add_never_cache_headers and then the Cache-Control below leave, written directly: its
    # Expires (now, unless the view set one) and its max-age=0, no-cache, must-revalidate are
    # replaced by "no-store, private" anyway (tests/public/test_private_headers.py compares).
    if "Expires" not in response:
        response.headers["Expires"] = http_date(time.time())
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def secret_page(view):
    """For pages whose URL is itself the secret that opens them (/r/<token>/…, a data-request link).

    They send no referrer at all (the header, and the meta tag in base.html reads
    `request.secret_url`), so the secret URL never travels with a request for a stylesheet. Under
    no-referrer Chromium sends "Origin: null" on the page's own form posts, which Django's CSRF
    check refuses; but a cross-site forgery would need the secret in the URL, which the attacker
    cannot know, so a CSRF token adds nothing here: the views are exempt, and a POST the browser
    marks as cross-site (Sec-Fetch-Site) is refused all the same. The language switch posts to
    the page itself and is handed to Django's set_language.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.secret_url = True
        if request.method == "POST" and request.headers.get("Sec-Fetch-Site") == "cross-site":
            return _private_headers(render(request, "public/csrf_failure.html", status=403))
        if request.method == "POST" and "language" in request.POST and "action" not in request.POST:
            return _private_headers(set_language(request))
        return _private_headers(view(request, *args, **kwargs))

    return wrapper


def personal_page(view):
    """For the pages under /r/<token>/ (see secret_page): the view is called with the link found
    (`link`); an unknown, revoked or erased link, or a door code, is a 404; an expired one a 410.
    """

    @secret_page
    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            link = link_for_token(token)
        except LinkExpired as expired:
            event = expired.event
            context = {"event": event, "organisation": event.organisation}
            return render(request, "public/link_expired.html", context, status=410)
        if link is None:
            return not_found(request)
        return view(request, *args, token=token, link=link, **kwargs)

    return wrapper


def _published_event(organisation: str, event: str) -> Event:
    return get_object_or_404(
        Event.objects.select_related("organisation").exclude(status=EventStatus.DRAFT),
        organisation__slug=organisation,
        slug=event,
    )


@require_safe
def index(request):
    events = list(queries.upcoming_public_events())
    for event in events:
        event.state = queries.registration_state(event, seats_taken=event.seats_taken)
        event.seats_left = queries.seats_left(event, event.seats_taken)
    return render(request, "public/event_list.html", {"events": events})


@require_http_methods(["GET", "HEAD", "POST"])
def event_detail(request, organisation, event):
    if page_cache.cacheable(request):
        return _cached_event_page(request, organisation, event)
    if request.method == "POST":
        return _event_detail_post(request, _public_event(organisation, event))
    event = _published_event(organisation, event)
    taken = queries.taken_seats(event)
    state = queries.registration_state(event, seats_taken=taken)
    form = None
    if state in (RegistrationState.OPEN, RegistrationState.FEW_LEFT, RegistrationState.WAITING_LIST):
        form = RegistrationForm(event=event)
    context = {
        "event": event,
        "organisation": event.organisation,
        "state": state,
        "states": RegistrationState,
        "seats_left": queries.seats_left(event, taken),
        "form": form,
        "rate_limited": "",
    }
    return TemplateResponse(request, "public/event_detail.html", context)


def _public_event(organisation: str, slug: str) -> Event:
    """_published_event through events.queries.published_event (its SQL built once per process):
    for the registration POST and the thank-you page."""
    event = event_queries.published_event(organisation=organisation, event=slug)
    if event is None:
        raise Http404
    return event


def _event_detail_post(request, event: Event):
    """The registration form sent: register and redirect to the thank-you page, or show the page
    again with what went wrong.

    Whether the event takes registrations at all (published, before the deadline and the start)
    does not depend on the seats, so a valid form counts no seats here: register() counts them
    under the event lock, the only count that decides. Only a page shown again counts them.
    """
    form = None
    if queries.registration_state(event, seats_taken=0) in _FORM_STATES:
        form = RegistrationForm(request.POST, event=event)
    closed = False
    rate_limited = ""
    if form is None:
        status = 409
    elif not form.is_valid():
        status = 400
    elif not _within_rate_limits(request, event, form):
        rate_limited = _rate_limited_message()
        status = 429
    else:
        try:
            result = register(
                event=event, person=form.person(translation.get_language()), colleagues=form.colleagues()
            )
        except (RegistrationClosed, EventNotOpen):
            form = None
            closed = True
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
    taken = queries.taken_seats(event)
    state = RegistrationState.CLOSED if closed else queries.registration_state(event, seats_taken=taken)
    context = {
        "event": event,
        "organisation": event.organisation,
        "state": state,
        "states": RegistrationState,
        "seats_left": queries.seats_left(event, taken),
        "form": form,
        "rate_limited": rate_limited,
    }
    response = TemplateResponse(request, "public/event_detail.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "300"
    return response


def _cached_event_page(request, organisation: str, slug: str):
    """The GET path: the same page for every visitor but their CSRF token (page_cache.py)."""
    event = event_queries.published_event(organisation=organisation, event=slug)
    if event is None:
        raise Http404
    taken = queries.taken_seats(event)
    state = queries.registration_state(event, seats_taken=taken)
    return page_cache.serve(
        request,
        page_cache.page_key(request, event, state),
        lambda extra: _event_page(request, event, state, taken, extra_context=extra),
    )


def _event_page(request, event: Event, state, taken: int, *, extra_context: dict) -> TemplateResponse:
    """The event page as a GET shows it: the unbound form when registration is open (as the
    context of event_detail's POST path, without a bound form or a rate-limit notice)."""
    context = {
        "event": event,
        "organisation": event.organisation,
        "state": state,
        "states": RegistrationState,
        "seats_left": queries.seats_left(event, taken),
        "form": RegistrationForm(event=event) if state in _FORM_STATES else None,
        "rate_limited": "",
        **extra_context,
    }
    return TemplateResponse(request, "public/event_detail.html", context)


def _rate_limited_message() -> str:
    return _(
        "Very many registrations are arriving just now. Please wait a few minutes and send the form "
        "again. Nothing has been saved yet."
    )


def _within_rate_limits(request, event: Event, form: RegistrationForm) -> bool:
    colleagues = form.colleagues()
    return throttle.registration_allowed(
        request,
        event_id=event.pk,
        emails=[form.cleaned_data["email"], *(c.email for c in colleagues)],
        people=1 + len(colleagues),
    )


def _thank_you_redirect(request, event: Event, result, *, colleagues: int):
    """To the thank-you page, with a cookie that says only what kind of page to show.

    No address and no name in the cookie (it is readable on that computer for an hour): the page
    says "the address you gave" and how many colleagues were e-mailed. The count is the number
    the registrant gave, not how many were created, and the status is what a newcomer would get.
    """
    thank_you, event_path = _thank_you_paths(
        get_script_prefix(), get_urlconf(), event.organisation.slug, event.slug
    )
    response = HttpResponseRedirect(thank_you)
    # signing.dumps's value (signed.dumps makes the same bytes, its HMAC keyed once): base64 that
    # needs no cookie quoting (JSON would).
    response.set_cookie(
        DONE_COOKIE,
        signed.dumps(
            {"status": result.status, "colleagues": colleagues, "confirm": event.confirm_email},
            salt=DONE_COOKIE,
        ),
        max_age=3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        path=event_path,
    )
    return response


@lru_cache(maxsize=512)
def _thank_you_paths(script_prefix: str, urlconf, organisation: str, event: str) -> tuple[str, str]:
    """The thank-you page's path and the event page's (the cookie's path), per process: the two
    URL reversals cost the POST more than signing its cookie (issue 10). A path depends only on
    the slugs, the URL configuration and the script prefix, all in the key."""
    kwargs = {"organisation": organisation, "event": event}
    return reverse("public:registered", kwargs=kwargs), reverse("public:event", kwargs=kwargs)


@private
@require_safe
def registered(request, organisation, event):
    event = _public_event(organisation, event)
    try:
        done = signed.loads(request.COOKIES[DONE_COOKIE], salt=DONE_COOKIE, max_age=3600)
    except (KeyError, signing.BadSignature):
        return redirect(event)
    colleagues = done.get("colleagues", 0)
    context = {
        "event": event,
        "organisation": event.organisation,
        "waitlisted": done.get("status") == Status.WAITLISTED,
        "confirm": bool(done.get("confirm")),
        "colleagues": colleagues if isinstance(colleagues, int) else 0,
    }
    if not page_cache.cacheable(request):
        return render(request, "public/registration_done.html", context)
    # Nothing of the person is on the page (page_cache.py): the same for everyone whose cookie
    # says the same, but for the CSRF token of the language switch and the nonce.
    key = page_cache.thank_you_key(
        request,
        event,
        waitlisted=context["waitlisted"],
        confirm=context["confirm"],
        colleagues=context["colleagues"],
    )
    return page_cache.serve(
        request,
        key,
        lambda extra: TemplateResponse(request, "public/registration_done.html", {**context, **extra}),
    )


@require_safe
def event_ics(request, organisation, event):
    event = _published_event(organisation, event)
    response = HttpResponse(event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@personal_page
@require_http_methods(["GET", "HEAD", "POST"])
def registration_detail(request, token, link):
    """The personal link: see, confirm (colleagues), change, add a colleague, cancel.

    A colleague's CONFIRM link may do all of it except bring further colleagues (links.py).
    """
    registration = link.registration
    event = registration.event
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {
        "workplace": registration.workplace,
        "job_title": registration.job_title,
        "membership": registration.membership,
        "diets": registration.diets,
        "diet_other": registration.diet_other,
        "other_needs": registration.other_needs,
        "answer": registration.answer,
        "wants_future_invitations": registration.wants_future_invitations,
    }
    answers_form = AnswersForm(request.POST if action == "answers" else None, event=event, initial=initial)
    colleague_form = ColleagueForm(request.POST if action == "colleague" else None)
    taken = queries.taken_seats(event)
    state = queries.registration_state(event, seats_taken=taken)
    error = ""
    status = 200
    if action == "answers" and answers_form.is_valid():
        try:
            if registration.is_confirmed:
                update_answers(registration=registration, answers=answers_form.answers())
                notice = "saved"
            else:
                confirm_colleague(
                    registration=registration,
                    answers=answers_form.answers(),
                    language=translation.get_language(),
                )
                notice = "confirmed"
        except SeatReleased:
            error = _("The seat held for you has been released because it was not confirmed in time.")
        except NotActive:
            error = _("This registration is cancelled and can no longer be changed.")
        else:
            return redirect(reverse("public:registration", kwargs={"token": token}) + f"?done={notice}")
    elif action == "colleague" and not may_add_colleagues(link):
        error = _("This link cannot register colleagues.")
        status = 403
    elif action == "colleague" and colleague_form.is_valid():
        try:
            add_colleague(registration=registration, colleague=colleague_form.colleague())
        except (RegistrationClosed, EventNotOpen):
            error = _("Registration is closed, so no more colleagues can be added.")
        except ColleagueLimitReached:
            error = _("You have already registered as many colleagues as this event allows.")
        except ColleagueNotAllowed:
            colleague_form.add_error("email", _("Your colleague needs an e-mail address of their own."))
        except NotActive:
            error = _("This registration is cancelled and can no longer be changed.")
        else:
            return redirect(reverse("public:registration", kwargs={"token": token}) + "?done=colleague")
    elif action:
        status = 400
    if error and status == 200:
        status = 409
    # The names they gave, not the registrations that exist: whether a colleague's address was
    # registered already, or has confirmed since, shows nowhere (issue 7).
    colleagues = registration.colleague_names_given()
    context = {
        "registration": registration,
        "event": event,
        "organisation": event.organisation,
        "answers_form": answers_form,
        "colleague_form": colleague_form,
        "colleagues": colleagues,
        "can_add_colleague": (
            may_add_colleagues(link)
            and registration.is_active
            and registration.is_confirmed
            and state not in (RegistrationState.CLOSED, RegistrationState.CANCELLED)
            and owner_may_add_colleague(registration)
        ),
        "error": error,
        "done": request.GET.get("done", ""),
        "token": token,
    }
    if (
        registration.status == Status.REGISTERED
        and registration.is_confirmed
        and not event.online
        and event.status != EventStatus.CANCELLED
    ):
        # The same code as in the confirmation e-mail: it is derived, never stored (checkin.codes).
        code = checkin_codes.issue_code(registration)
        context["checkin_code"] = code
        context["checkin_qr"] = (
            "data:image/png;base64," + base64.b64encode(checkin_codes.qr_png(code)).decode()
        )
    return TemplateResponse(request, "public/registration_detail.html", context, status=status)


@personal_page
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, token, link):
    registration = link.registration
    if request.method == "POST" and registration.is_active:
        # Two quick clicks: the second finds it cancelled already, which is what they wanted.
        with contextlib.suppress(NotActive):
            cancel_registration(registration=registration)
        return redirect("public:registration-cancel", token=token)
    return render(
        request,
        "public/registration_cancel.html",
        {
            "registration": registration,
            "event": registration.event,
            "organisation": registration.event.organisation,
        },
    )


@personal_page
@require_safe
def registration_ics(request, token, link):
    registration = link.registration
    response = HttpResponse(
        event_calendar(
            registration.event,
            cancelled=not registration.is_active,
            earlier_registrations=queries.earlier_registrations(registration),
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return response


@require_safe
def privacy(request):
    """The operator's notice: who runs the site, and each organisation's own notice."""
    organisations = Organisation.objects.filter(
        Exists(Event.objects.filter(organisation=OuterRef("pk")).exclude(status=EventStatus.DRAFT))
    ).order_by("name")
    name, email = notice.operator()
    context = {"organisations": organisations, "operator_name": name, "operator_email": email}
    return render(request, "public/privacy.html", context)


@require_safe
def organisation_privacy(request, organisation):
    """The organisation's privacy notice, generated from its settings (frukost.privacy.notice)."""
    organisation = get_object_or_404(Organisation, slug=organisation)
    name, email = notice.operator()
    context = {
        "organisation": organisation,
        "purposes": notice.purposes(organisation),
        "periods": notice.periods_for(organisation),
        "operator_name": name,
        "operator_email": email,
        "data_request_url": notice.data_request_url(),
        "generated_on": notice.generated_on(),
    }
    return render(request, "public/organisation_privacy.html", context)


def not_found(request, exception=None):
    response = render(request, "404.html", status=404)
    if request.path.startswith(("/r/", "/i/")):
        # An unknown address under a personal (or invitation) link may still carry a valid token.
        _private_headers(response)
    return response


def server_error(request):
    """The error page must never fail itself (e.g. a missing static manifest in a broken deploy)."""
    try:
        return render(request, "500.html", status=500)
    except Exception:  # noqa: BLE001 - the last resort must answer whatever went wrong
        logger.exception("rendering the error page failed")
        return HttpResponseServerError(FALLBACK_ERROR_PAGE, content_type="text/html; charset=utf-8")


FALLBACK_ERROR_PAGE = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Något gick fel</title></head>'
    "<body><h1>Något gick fel</h1><p>Ett fel uppstod hos oss. Försök igen om en stund.</p>"
    '<p lang="en">Something went wrong on our side. Please try again in a moment.</p></body></html>'
)
