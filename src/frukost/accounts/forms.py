"""Forms for the back office's member and settings pages. They parse; the services decide."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.accounts.enums import Role
from frukost.accounts.exceptions import InvalidInput
from frukost.core.forms import add_errors
from frukost.events.models import RETENTION_LIMITS, Event, Organisation

ROLE_CHOICES = [
    (Role.ORGANISER.value, _("Organiser: events, registrations, messages and exports")),
    (Role.DOOR.value, _("Door staff: only the check-in list of the events you choose below")),
    (Role.REPRESENTATIVE.value, _("Local representative: only the people who asked to be contacted")),
    (Role.OWNER.value, _("Owner: everything, including members and the organisation's settings")),
]


class _EventChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        from frukost.core import formats

        return f"{obj.title} · {formats.long_date(obj.starts_at)}"


def _door_events_field() -> forms.ModelMultipleChoiceField:
    return _EventChoice(
        queryset=Event.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Events at the door"),
        help_text=_("For door staff: the events whose check-in list they see."),
    )


def _door_event_choices(organisation: Organisation, chosen=()):
    """Events that have not ended, and any the member has already (so that saving keeps them)."""
    from django.db.models import Q

    return (
        Event.objects.filter(organisation=organisation)
        .filter(Q(ends_at__gte=timezone.now()) | Q(pk__in=[e.pk for e in chosen]))
        .order_by("starts_at", "pk")
    )


class ServiceErrorsMixin:
    """Show a service's InvalidInput on the fields it names (or above the form)."""

    def add_service_errors(self, error: InvalidInput) -> None:
        add_errors(self, error.errors)


class InviteForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("We e-mail a link to this address. It works for a week."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLE_CHOICES, initial=Role.ORGANISER, widget=forms.RadioSelect
    )
    events = _door_events_field()

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = _door_event_choices(organisation)


class MemberForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    events = _door_events_field()

    def __init__(self, *args, organisation: Organisation, chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = _door_event_choices(organisation, chosen)


class AcceptInvitationForm(ServiceErrorsMixin, forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A few words in a row are easy to remember and hard to guess."),
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ. Type the same password twice."))
        return data


class OrganisationSettingsForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    colour = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Used on the event pages and in e-mails, as #rrggbb."),
    )
    website = forms.CharField(
        label=_("Website"),
        max_length=200,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    membership_question = forms.CharField(
        label=_("Membership question"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Are you a member of <organisation>?”."),
    )
    privacy_contact = forms.EmailField(
        label=_("Privacy contact e-mail"),
        required=False,
        help_text=_("Shown in the privacy notice: where people ask about their personal data."),
    )


def _period_field(label) -> forms.Field:
    # Parsed as text: the service checks the number and its limits and says what is wrong.
    return forms.CharField(label=label, max_length=6, widget=forms.NumberInput(attrs={"step": 1}))


class RetentionForm(ServiceErrorsMixin, forms.Form):
    """The organisation's retention schedule: each period within RETENTION_LIMITS (the service checks)."""

    retain_needs_days = _period_field(_("Diets and other needs: days after the event"))
    retain_membership_days = _period_field(_("The membership answer: days after the event"))
    retain_cancelled_days = _period_field(_("Cancelled and released registrations: days after the event"))
    retain_identity_months = _period_field(
        _("Names, e-mail, workplace and title of attendees: months after the event")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hints = {
            "retain_needs_days": _(
                "From %(low)s to %(high)s days; %(default)s by default. The caterer's figures and the "
                "counts stay."
            ),
            "retain_membership_days": _(
                "From %(low)s to %(high)s days; %(default)s by default, for the follow-up. The counts stay."
            ),
            "retain_cancelled_days": _(
                "From %(low)s to %(high)s days; %(default)s by default. Then the person is anonymised."
            ),
            "retain_identity_months": _(
                "From %(low)s to %(high)s months; %(default)s by default. People who asked for future "
                "invitations stay as contacts until they withdraw."
            ),
        }
        for name, hint in hints.items():
            low, high = RETENTION_LIMITS[name]
            default = Organisation._meta.get_field(name).default
            self.fields[name].help_text = str(hint) % {"low": low, "high": high, "default": default}
            self.fields[name].widget.attrs.update(min=low, max=high)

    def periods(self) -> dict:
        return dict(self.cleaned_data)


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with labels only: placeholders repeating the label are noise."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
