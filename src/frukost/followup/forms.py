"""The organiser's follow-up form and the attendee's feedback form. The rules are the services'
(clean_followup_text, clean_answers); the forms only map their messages to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frukost.followup.enums import FollowUpKind
from frukost.followup.exceptions import InvalidFeedback
from frukost.followup.feedback import (
    COMMENT_MAX_LENGTH,
    MOST_USEFUL_MAX_LENGTH,
    FeedbackAnswers,
    clean_answers,
    contact_hint,
    contact_label,
    contact_question,
)
from frukost.followup.services import MATERIAL_MAX_LENGTH, FollowUpText, clean_followup_text
from frukost.messaging.exceptions import InvalidAnnouncement
from frukost.messaging.forms import MessageTextForm


class FollowUpForm(MessageTextForm):
    material = forms.CharField(
        label=_("Material from the breakfast (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Links and a few words: the slides, the host’s reading tips. Web addresses become "
                    "links in the e-mail."),
    )  # fmt: skip
    material_en = forms.CharField(
        label=_("Material in English (optional)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave it empty and English readers get the material above."),
    )

    def __init__(self, *args, kind: FollowUpKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = FollowUpKind(kind)
        if self.kind == FollowUpKind.THANKS:
            del self.fields["material"]
            del self.fields["material_en"]
            self.fields["body"].help_text = _(
                "Plain text; a blank line starts a new paragraph. The greeting and the event’s facts "
                "are added around it."
            )
        else:
            self.fields["body"].help_text = _(
                "Plain text; a blank line starts a new paragraph. The greeting, the event’s facts and "
                "the material are added around it."
            )
            for name in ("material", "material_en"):
                self.fields[name].widget.attrs["maxlength"] = MATERIAL_MAX_LENGTH * 2

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.text = clean_followup_text(
                FollowUpText(
                    subject=data.get("subject", ""),
                    body=data.get("body", ""),
                    subject_en=data.get("subject_en", ""),
                    body_en=data.get("body_en", ""),
                    material=data.get("material", ""),
                    material_en=data.get("material_en", ""),
                ),
                self.kind,
            )
        except InvalidAnnouncement as exc:
            self.add_service_errors(exc)
        return data


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the breakfast as a whole?"),
        choices=[(1, _("1 – poor")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 – excellent"))],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    most_useful = forms.CharField(
        label=_("What was most useful?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    show_name = forms.BooleanField(
        label=_("Yes, you may show my name with my comment"),
        required=False,
        help_text=_("Otherwise the organisers see your comment without your name."),
    )
    contact = forms.BooleanField(required=False)

    def __init__(self, *args, organisation, ask_contact: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask_contact = ask_contact
        # Generous browser limits so the service's clear message is what people see.
        self.fields["most_useful"].widget.attrs["maxlength"] = MOST_USEFUL_MAX_LENGTH * 2
        self.fields["comment"].widget.attrs["maxlength"] = COMMENT_MAX_LENGTH * 2
        if ask_contact:
            self.fields["contact"].label = contact_label(organisation)
            self.fields["contact"].help_text = contact_hint(organisation)
            self.contact_question = contact_question(organisation)
        else:
            del self.fields["contact"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.answers = clean_answers(
                FeedbackAnswers(
                    rating=data.get("rating"),
                    most_useful=data.get("most_useful", ""),
                    comment=data.get("comment", ""),
                    show_name=data.get("show_name", False),
                    contact=data.get("contact", False),
                )
            )
        except InvalidFeedback as exc:
            for field, message in exc.errors.items():
                self.add_error(field, message)
        return data
