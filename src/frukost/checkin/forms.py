"""The walk-in form: four fields, made for a thumb on a phone at the door."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frukost.registrations.forms import CleanCharField, NameField, StrictEmailField


def _big(**attrs) -> dict:
    return {"class": "bo-door-input", "autocomplete": "off", "spellcheck": "false", **attrs}


class WalkInForm(forms.Form):
    first_name = NameField(
        label=_("First name"), widget=forms.TextInput(_big(autocapitalize="words", autofocus=True))
    )
    last_name = NameField(label=_("Last name"), widget=forms.TextInput(_big(autocapitalize="words")))
    workplace = CleanCharField(
        label=_("Workplace"), max_length=200, required=False, widget=forms.TextInput(_big())
    )
    email = StrictEmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("For the thank-you after the event. Nothing is sent now."),
        widget=forms.EmailInput(_big(inputmode="email", autocapitalize="none")),
    )
