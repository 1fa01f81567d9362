from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from frukost.core.forms import add_errors
from frukost.events.models import Event
from frukost.events.services import event_problems

MAX_INVITATION_CHARS = 100_000


class InvitationTextForm(forms.Form):
    text = forms.CharField(
        label=_("Invitation text"),
        max_length=MAX_INVITATION_CHARS,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 90}),
        help_text=_(
            "Paste the whole invitation: title, text, date and time, place, registration and contact."
        ),
    )
    capacity = forms.IntegerField(
        label=capfirst(Event._meta.get_field("capacity").verbose_name), min_value=1, initial=60
    )


class ImportedEventForm(forms.ModelForm):
    """The event as read from the invitation, for the organiser to check and correct.

    The organisation is the one the organiser works in (set on the instance by the view).
    """

    online_url = forms.URLField(
        label=Event._meta.get_field("online_url").verbose_name, required=False, assume_scheme="https"
    )

    class Meta:
        model = Event
        # No status: an imported event is saved as a draft and published from its page, where the
        # publishing rules apply (events.services.publish_event).
        fields = [
            "title",
            "slug",
            "host_name",
            "host_role",
            "lead",
            "body",
            "questions",
            "gift",
            "starts_at",
            "ends_at",
            "doors_at",
            "venue_name",
            "street_address",
            "postal_code",
            "city",
            "online",
            "online_url",
            "registration_deadline",
            "capacity",
            "max_colleagues",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "doors_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "registration_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "lead": forms.Textarea(attrs={"rows": 4, "cols": 90}),
            "body": forms.Textarea(attrs={"rows": 12, "cols": 90}),
            "questions": forms.Textarea(attrs={"rows": 5, "cols": 90}),
        }

    def clean(self):
        cleaned = super().clean()
        add_errors(self, event_problems(cleaned))
        return cleaned

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = Event.objects.filter(organisation=self.instance.organisation, slug=slug)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another event of yours already has this address; choose another."))
        return slug
