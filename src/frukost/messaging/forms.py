"""The organiser's message form. The rules are the service's (clean_text); the form only maps
its messages to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frukost.messaging.enums import Audience
from frukost.messaging.exceptions import InvalidAnnouncement
from frukost.messaging.services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, AnnouncementText, clean_text


class MessageTextForm(forms.Form):
    """A subject and a message, optionally in English: what every organiser's e-mail form asks
    (the message to attendees, the mails after the event). The rules are the services'."""

    subject = forms.CharField(
        label=_("Subject"), strip=False, error_messages={"required": _("Write a subject.")}
    )
    body = forms.CharField(
        label=_("Message"),
        error_messages={"required": _("Write the message.")},
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; a blank line starts a new paragraph. The greeting, the event’s facts and "
                    "each person’s own link are added around it."),
    )  # fmt: skip
    subject_en = forms.CharField(label=_("Subject in English"), required=False, strip=False)
    body_en = forms.CharField(
        label=_("Message in English"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("For those who chose English. Leave it empty and they get the Swedish text, "
                    "with the greeting and facts in English."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Generous browser limits so the service's clear message is what people see.
        for name in ("subject", "subject_en"):
            self.fields[name].widget.attrs["maxlength"] = SUBJECT_MAX_LENGTH * 2
        for name in ("body", "body_en"):
            self.fields[name].widget.attrs["maxlength"] = BODY_MAX_LENGTH * 2

    def add_service_errors(self, exc: InvalidAnnouncement) -> None:
        """The service's messages on their fields (on the form where the field is not this form's)."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)


class AnnouncementForm(MessageTextForm):
    audience = forms.ChoiceField(
        label=_("To"), choices=Audience.choices, widget=forms.RadioSelect, initial=Audience.ALL
    )
    field_order = ["audience", "subject", "body", "subject_en", "body_en"]

    def __init__(self, *args, counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if counts is not None:
            self.fields["audience"].choices = [
                (value, _("%(label)s (%(count)d)") % {"label": label, "count": counts.get(value, 0)})
                for value, label in Audience.choices
            ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.text = clean_text(
                AnnouncementText(
                    subject=data.get("subject", ""),
                    body=data.get("body", ""),
                    subject_en=data.get("subject_en", ""),
                    body_en=data.get("body_en", ""),
                )
            )
        except InvalidAnnouncement as exc:
            self.add_service_errors(exc)
        return data
