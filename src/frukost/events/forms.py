"""The organiser's event form (back office): every field with its label from the model."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from frukost.events.models import MAX_REMINDER_DAYS_BEFORE, Event, Series
from frukost.events.services import EDITABLE_FIELDS, MAX_HOLD_HOURS, event_problems


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    """Create or change an event. The organisation is the one in the address (set on the instance
    by the view); status changes have their own buttons (publish, close, cancel).

    The rules are the services' own (events.services.event_problems), shown here by the field.
    """

    online_url = forms.URLField(
        label=capfirst(Event._meta.get_field("online_url").verbose_name),
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to people with a seat: on their personal page and in their confirmation."),
    )

    class Meta:
        model = Event
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "starts_at": _datetime_widget(),
            "ends_at": _datetime_widget(),
            "doors_at": _datetime_widget(),
            "registration_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_deadline_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "lead": forms.Textarea(attrs={"rows": 4, "cols": 90}),
            "body": forms.Textarea(attrs={"rows": 12, "cols": 90}),
            "questions": forms.Textarea(attrs={"rows": 5, "cols": 90}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = Series.objects.filter(organisation=self.instance.organisation)
        self.fields["series"].empty_label = _("No series")
        self.fields["capacity"].min_value = 1
        self.fields["colleague_hold_hours"].widget.attrs.update(min=1, max=MAX_HOLD_HOURS)
        self.fields["capacity"].widget.attrs.update(min=1)
        self.fields["overbooking"].widget.attrs.update(min=0)
        self.fields["reminder_days_before"].widget.attrs.update(min=0, max=MAX_REMINDER_DAYS_BEFORE)
        # Left empty: no overbooking; the reminder at the event's present setting (default 2 days).
        for name in ("overbooking", "reminder_days_before"):
            self.fields[name].required = False

    def clean_overbooking(self):
        value = self.cleaned_data.get("overbooking")
        return 0 if value is None else value

    def clean_reminder_days_before(self):
        value = self.cleaned_data.get("reminder_days_before")
        return self.instance.reminder_days_before if value is None else value

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = Event.objects.filter(organisation=self.instance.organisation, slug=slug)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another event of yours already has this address; choose another."))
        return slug

    def clean(self):
        cleaned = super().clean()
        for name, messages in event_problems(cleaned).items():
            for message in messages:
                if name in self.fields and name in cleaned:
                    self.add_error(name, message)
        if cleaned.get("online_url") and not cleaned.get("online") and "online" in cleaned:
            # Only online events show the link to anyone: a link on a place-bound event would be lost.
            self.add_error("online", _("A meeting link is given: tick “online event”, or remove the link."))
        return cleaned

    def changes(self) -> dict:
        """Every field's value, for events.services / update_event (which work out what differs)."""
        return {name: self.cleaned_data[name] for name in self.fields}


class CloneForm(forms.Form):
    """A new date and place for a copy of an event."""

    starts_at = forms.DateTimeField(
        label=_("New start"),
        widget=_datetime_widget(),
        help_text=_("The end, breakfast and the last day to register move with it."),
    )
    venue_name = forms.CharField(
        label=capfirst(Event._meta.get_field("venue_name").verbose_name), max_length=200, required=False
    )
    street_address = forms.CharField(
        label=capfirst(Event._meta.get_field("street_address").verbose_name), max_length=200, required=False
    )
    postal_code = forms.CharField(
        label=capfirst(Event._meta.get_field("postal_code").verbose_name), max_length=10, required=False
    )
    city = forms.CharField(
        label=capfirst(Event._meta.get_field("city").verbose_name), max_length=100, required=False
    )
    online = forms.BooleanField(label=capfirst(Event._meta.get_field("online").verbose_name), required=False)
    online_url = forms.URLField(
        label=capfirst(Event._meta.get_field("online_url").verbose_name),
        required=False,
        assume_scheme="https",
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("online") and not cleaned.get("city") and not self.errors:
            self.add_error("city", _("Give the city (or tick “online event”)."))
        return cleaned
