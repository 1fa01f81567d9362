"""The feedback form after the event, opened by the FEEDBACK link in the thank-you mail.

That link opens this form and nothing else (registrations.links: a purpose of its own), and a
personal page's link does not open it. The page is in the person's language unless they switched
it. One feedback per person: sending the form again changes it.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_safe

from frukost.followup.exceptions import InvalidFeedback
from frukost.followup.feedback import feedback_of, may_ask_contact, submit_feedback
from frukost.followup.forms import FeedbackForm
from frukost.public.views import not_found, secret_page
from frukost.registrations.enums import LinkPurpose
from frukost.registrations.exceptions import LinkExpired
from frukost.registrations.links import link_for_token


def feedback_page(view):
    """As public.views.personal_page, for FEEDBACK links only: unknown, revoked, erased or another
    purpose's link → 404, expired → 410. The view runs in the person's language."""

    @secret_page
    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            link = link_for_token(token, purposes=(LinkPurpose.FEEDBACK,))
        except LinkExpired as expired:
            event = expired.event
            context = {"event": event, "organisation": event.organisation}
            return render(request, "public/link_expired.html", context, status=410)
        if link is None:
            return not_found(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else link.registration.language
        with translation.override(language or settings.LANGUAGE_CODE):
            request.LANGUAGE_CODE = translation.get_language()
            return view(request, *args, token=token, link=link, **kwargs)

    return wrapper


@feedback_page
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, token, link):
    registration = link.registration
    event = registration.event
    organisation = event.organisation
    ask_contact = may_ask_contact(registration)
    existing = feedback_of(registration)
    initial = {}
    if existing is not None:
        initial = {
            "rating": existing.rating,
            "most_useful": existing.most_useful,
            "comment": existing.comment,
            "show_name": existing.show_name,
            "contact": bool(existing.contact_consent),
        }
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisation=organisation,
        ask_contact=ask_contact,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submit_feedback(
                    registration=registration, answers=form.answers, language=translation.get_language()
                )
            except InvalidFeedback as exc:  # the form checks the same rules; kept for safety
                for field, message in exc.errors.items():
                    form.add_error(field, message)
            else:
                return redirect("public:feedback-done", token=token)
        status = 400
    context = {
        "registration": registration,
        "event": event,
        "organisation": organisation,
        "form": form,
        "existing": existing,
    }
    return render(request, "public/feedback_form.html", context, status=status)


@feedback_page
@require_safe
def feedback_done(request, token, link):
    registration = link.registration
    event = registration.event
    context = {
        "registration": registration,
        "event": event,
        "organisation": event.organisation,
        "feedback": feedback_of(registration),
        "token": token,
    }
    return render(request, "public/feedback_done.html", context)
