"""Forms for what attendees fill in. Every field is validated on the server."""

from __future__ import annotations

import copy
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frukost.contacts import wording
from frukost.registrations.enums import Diet, Language, Membership, Status
from frukost.registrations.models import normalise_email
from frukost.registrations.names import looks_like_a_name
from frukost.registrations.queries import TableFilters
from frukost.registrations.services import (
    Answers,
    ColleagueData,
    PersonData,
    RegistrationEdit,
    SpecialAnswers,
)


def _reject_control_characters(value: str, *, multiline: bool = False) -> str:
    # str.isprintable() is false for every character of the categories refused below (and for
    # some allowed ones: line breaks, other spaces), from the same Unicode database: a printable
    # text has nothing to refuse, and the loop runs only for the rest (issue 10).
    if value.isprintable():
        return value
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for character in value:
        if character in allowed:
            continue
        if unicodedata.category(character) in {"Cc", "Cf", "Cs", "Co", "Cn"} and character not in {"\u200d"}:
            raise ValidationError(
                _("Remove the invisible or control characters from this field."), code="control_character"
            )
    return value


class CleanCharField(forms.CharField):
    """A text field that refuses control characters (and, on one line, line breaks)."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        # Normalise before the length check runs (validators see what to_python returns): NFC
        # can lengthen a text, e.g. U+1D160 becomes three code points, and the stored value must
        # never be longer than the field.
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value

    def clean(self, value):
        value = super().clean(value)
        if value:
            _reject_control_characters(value, multiline=self.multiline)
        return value


class NameField(CleanCharField):
    """A first or last name: letters, spaces, hyphens, apostrophes, full stops; never an address."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not looks_like_a_name(value):
            raise ValidationError(
                _(
                    "Write only the name here, without web addresses, e-mail addresses or other "
                    "text, for example Anna Svensson."
                ),
                code="name",
            )
        return value


# Django's validator without its "localhost" exception; IP literals are refused in clean().
_email_validator = EmailValidator(allowlist=[])


_UNSENDABLE = frozenset(',;<>"\\')


def _unsendable(value: str) -> bool:
    """Whether the address has a character no address we send to may have: a line break, NUL,
    one of ,;<>"\\ or a control, format or line/paragraph separator character. str.isprintable()
    is false for every character of those categories (\\r, \\n and NUL among them), so a printable
    address needs only the six punctuation marks looked for; the rest character by character."""
    if value.isprintable():
        return not _UNSENDABLE.isdisjoint(value)
    return any(c in '\r\n\x00,;<>"\\' or unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in value)


class StrictEmailField(forms.EmailField):
    """An address we can send to: no quoted local part, no control characters, a real domain
    with a dot (no localhost, no IP address), stored as normalise_email() stores it (lower case,
    the domain in its IDNA form), so "alice@exämple.org" and "alice@xn--exmple-cua.org" are one."""

    default_validators = [_email_validator]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "error_messages", {"invalid": _("Write the e-mail address like this: namn@exempel.se")}
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value and _unsendable(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        value = super().clean(value)
        if not value:
            return value
        value = normalise_email(value)
        domain = value.rpartition("@")[2]
        labels = domain.split(".")
        if len(labels) < 2 or domain.startswith("[") or labels[-1].isdigit() or len(value) > 254:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


# The public forms' fields, copied from the declared ones and configured once per process and
# configuration (form class, language, the organisation's and event's questions and words, the
# number of colleagues), then shared by every form of that configuration: copying and configuring
# them for every request was a tenth of the registration POST's CPU (issue 10). Shared fields are
# never changed after they are prepared (a form keeps its data, errors and bound fields itself;
# Django's fields and widgets keep nothing of a request), so no form sees another's.
_PREPARED_FIELDS: dict[tuple, dict[str, forms.Field]] = {}
_PREPARED_FIELDS_MAX = 256


def _colleague_prefixes(max_colleagues: int) -> list[str]:
    return [f"colleague{n}" for n in range(1, max_colleagues + 1)]


# A colleague's fields as the page names them, whatever the event's limit is now.
_COLLEAGUE_FIELD = re.compile(r"colleague(\d+)_(?:first_name|last_name|email)")


class AnswersForm(forms.Form):
    """What every person answers for themselves: the registrant and, later, each colleague."""

    workplace = CleanCharField(label=_("Workplace"), max_length=200, required=False)
    job_title = CleanCharField(label=_("Job title"), max_length=200, required=False)
    membership = forms.ChoiceField(
        label=_("Are you a member?"),
        choices=Membership.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the answers (you may choose “I prefer not to say”).")},
    )
    diets = forms.MultipleChoiceField(
        label=_("Special diet or allergies"),
        choices=Diet.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    diet_other = CleanCharField(label=_("Other dietary needs"), max_length=300, required=False)
    other_needs = CleanCharField(
        label=_("Special needs or other information for the organiser"),
        help_text=_("For example a hearing loop or sign language interpreting."),
        max_length=1000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = CleanCharField(
        max_length=1000, required=False, multiline=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    wants_future_invitations = forms.BooleanField(
        label=_("Yes, send me invitations to future events"), required=False
    )

    def __init__(self, *args, event, **kwargs):
        configuration = self._configuration(event)
        key = (type(self), configuration)
        fields = _PREPARED_FIELDS.get(key)
        if fields is None:
            fields = self._prepare_fields(configuration)
            if len(_PREPARED_FIELDS) >= _PREPARED_FIELDS_MAX:
                _PREPARED_FIELDS.clear()
            _PREPARED_FIELDS[key] = fields
        # BaseForm.__init__ deep-copies base_fields for every form; these fields are copied and
        # configured once per configuration instead (see _PREPARED_FIELDS), so it copies nothing.
        self.base_fields = {}
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = dict(fields)
        self.event = event

    def _clean_fields(self) -> None:
        """BaseForm._clean_fields, without making a BoundField for every field first: the bound
        field's only part in cleaning is handing the field its widget's value, and making it (its
        names, label and id) was a fifth of validating the registration form (issue 10). Bound
        fields are still made, as before, for a page shown again. Django's own loop for a form
        with a disabled field or a file field (neither is in these forms)."""
        fields = self.fields
        if any(field.disabled or isinstance(field, forms.FileField) for field in fields.values()):
            super()._clean_fields()
            return
        data, files, cleaned = self.data, self.files, self.cleaned_data
        for name, field in fields.items():
            try:
                cleaned[name] = field.clean(
                    field.widget.value_from_datadict(data, files, self.add_prefix(name))
                )
                clean_name = getattr(self, f"clean_{name}", None)
                if clean_name is not None:
                    cleaned[name] = clean_name()
            except ValidationError as e:
                self.add_error(name, e)

    def _configuration(self, event) -> tuple:
        """Everything the fields depend on besides the class: the words (in the active language)
        and the event's questions. Equal configurations give equal fields."""
        organisation = event.organisation
        # gettext, not the lazy _: the text is wanted at once, and a lazy text's % was half of
        # this method's cost (issue 10).
        membership = organisation.membership_question or translation.gettext(
            "Are you a member of %(organisation)s?"
        ) % {"organisation": organisation.name}
        return (
            translation.get_language(),
            str(membership),
            event.custom_question or None,
            # The consent to future invitations says what it means; the words are recorded with it.
            str(wording.consent_label(organisation)),
            str(wording.consent_hint()),
        )

    def _prepare_fields(self, configuration: tuple) -> dict[str, forms.Field]:
        """The fields of this configuration, as Django's BaseForm would copy and order them, then
        configured (`_configure`)."""
        self.fields = copy.deepcopy(type(self).base_fields)
        self.order_fields(self.field_order)
        self._configure(configuration)
        fields, self.fields = self.fields, {}
        return fields

    def _configure(self, configuration: tuple) -> None:
        _language, membership, question, consent_label, consent_hint = configuration[:5]
        self.fields["membership"].label = membership
        if question:
            self.fields["answer"].label = question
        else:
            del self.fields["answer"]
        consent = self.fields["wants_future_invitations"]
        consent.label = consent_label
        consent.help_text = consent_hint

    def consent_text(self) -> str:
        """The words beside the box, as this form showed them (in the page's language)."""
        consent = self.fields["wants_future_invitations"]
        return f"{consent.label}. {consent.help_text}"

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            workplace=data.get("workplace", ""),
            job_title=data.get("job_title", ""),
            membership=data.get("membership", ""),
            diets=tuple(data.get("diets", ())),
            diet_other=data.get("diet_other", ""),
            other_needs=data.get("other_needs", ""),
            answer=data.get("answer", ""),
            wants_future_invitations=data.get("wants_future_invitations", False),
            consent_text=self.consent_text() if data.get("wants_future_invitations") else "",
        )


class RegistrationForm(AnswersForm):
    first_name = NameField(
        label=_("First name"), widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = NameField(label=_("Last name"), widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = StrictEmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    field_order = ["first_name", "last_name", "email", "workplace", "job_title"]

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        self.colleague_prefixes = _colleague_prefixes(event.max_colleagues)

    def _configuration(self, event) -> tuple:
        return (*super()._configuration(event), event.max_colleagues)

    def _configure(self, configuration: tuple) -> None:
        super()._configure(configuration)
        max_colleagues = configuration[5]
        self.fields["workplace"].widget.attrs["autocomplete"] = "organization"
        self.fields["job_title"].widget.attrs["autocomplete"] = "organization-title"
        for number, prefix in enumerate(_colleague_prefixes(max_colleagues), start=1):
            self.fields[f"{prefix}_first_name"] = NameField(
                label=_("Colleague %(n)s: first name") % {"n": number}
                if max_colleagues > 1
                else _("Colleague's first name"),
                required=False,
            )
            self.fields[f"{prefix}_last_name"] = NameField(
                label=_("Colleague %(n)s: last name") % {"n": number}
                if max_colleagues > 1
                else _("Colleague's last name"),
                required=False,
            )
            self.fields[f"{prefix}_email"] = StrictEmailField(
                label=_("Colleague %(n)s: e-mail") % {"n": number}
                if max_colleagues > 1
                else _("Colleague's e-mail"),
                required=False,
            )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(
                _("This form could not be sent. Leave the last field empty and try again."),
                code="honeypot",
            )
        return ""

    def clean(self):
        data = super().clean()
        if self._colleagues_beyond_the_limit():
            # The page was read before the organiser lowered the limit: its colleague is not in
            # this form's fields, and must not be dropped without a word.
            allowed = len(self.colleague_prefixes)
            if allowed:
                message = ngettext(
                    "You can bring at most %(count)s colleague to this event now: the organiser "
                    "changed it after you opened the page. Check your colleagues and send the form again.",
                    "You can bring at most %(count)s colleagues to this event now: the organiser "
                    "changed it after you opened the page. Check your colleagues and send the form again.",
                    allowed,
                ) % {"count": allowed}
            else:
                message = _(
                    "Colleagues can no longer be brought to this event: the organiser changed it "
                    "after you opened the page. Send the form again without them."
                )
            self.add_error(None, ValidationError(message, code="colleague_limit"))
        own = data.get("email")
        seen = set()
        for prefix in self.colleague_prefixes:
            names = [f"{prefix}_first_name", f"{prefix}_last_name", f"{prefix}_email"]
            values = [data.get(name) for name in names]
            if not any(values) and not any(self.errors.get(name) for name in names):
                continue
            for name, value in zip(names, values, strict=True):
                if not value and name not in self.errors:
                    self.add_error(
                        name,
                        _(
                            "Fill in the colleague's first name, last name and e-mail, or leave "
                            "all three empty."
                        ),
                    )
            email = data.get(f"{prefix}_email")
            if email and own and email == own:
                self.add_error(f"{prefix}_email", _("Your colleague needs an e-mail address of their own."))
            elif email and email in seen:
                self.add_error(f"{prefix}_email", _("You have given this address for another colleague."))
            if email:
                seen.add(email)
        return data

    def _colleagues_beyond_the_limit(self) -> bool:
        """Whether the POST names a colleague in a place past the event's limit (not left blank)."""
        allowed = len(self.colleague_prefixes)
        for name, value in self.data.items():
            if name.startswith("colleague") and value.strip():
                field = _COLLEAGUE_FIELD.fullmatch(name)
                if field and int(field[1]) > allowed:
                    return True
        return False

    def person(self, language: str) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            answers=self.answers(),
            language=language,
        )

    def colleagues(self) -> list[ColleagueData]:
        data = self.cleaned_data
        return [
            ColleagueData(
                first_name=data[f"{prefix}_first_name"],
                last_name=data[f"{prefix}_last_name"],
                email=data[f"{prefix}_email"],
            )
            for prefix in self.colleague_prefixes
            if data.get(f"{prefix}_email")
        ]

    def colleague_rows(self):
        """Bound fields grouped per colleague, for the template."""
        return [
            [self[f"{prefix}_first_name"], self[f"{prefix}_last_name"], self[f"{prefix}_email"]]
            for prefix in self.colleague_prefixes
        ]

    def person_fields(self):
        return [self[name] for name in ("first_name", "last_name", "email", "workplace", "job_title")]


class ColleagueForm(forms.Form):
    first_name = NameField(label=_("Colleague's first name"))
    last_name = NameField(label=_("Colleague's last name"))
    email = StrictEmailField(label=_("Colleague's e-mail"))

    def colleague(self) -> ColleagueData:
        return ColleagueData(**self.cleaned_data)


# --- The back office ------------------------------------------------------------------------


class OrganiserRegistrationForm(forms.Form):
    """An organiser adds someone by hand (they phoned) or corrects a registration.

    Without `special_category` (the member may not see membership, diets and needs) those fields
    are not in the form at all, and an edit leaves them as they are.
    """

    first_name = NameField(label=_("First name"))
    last_name = NameField(label=_("Last name"))
    email = StrictEmailField(label=_("E-mail"))
    workplace = CleanCharField(label=_("Workplace"), max_length=200, required=False)
    job_title = CleanCharField(label=_("Job title"), max_length=200, required=False)
    membership = forms.ChoiceField(
        label=_("Member?"), choices=[("", _("Not answered"))] + Membership.choices, required=False
    )
    diets = forms.MultipleChoiceField(
        label=_("Special diet or allergies"),
        choices=Diet.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    diet_other = CleanCharField(label=_("Other dietary needs"), max_length=300, required=False)
    other_needs = CleanCharField(
        label=_("Special needs or other information for the organiser"),
        max_length=1000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = CleanCharField(
        max_length=1000, required=False, multiline=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=Language.choices)

    SPECIAL_CATEGORY = ("membership", "diets", "diet_other", "other_needs")

    def __init__(self, *args, event, special_category: bool, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.special_category = special_category
        if not special_category:
            for name in self.SPECIAL_CATEGORY:
                del self.fields[name]
        else:
            self.fields["membership"].label = event.organisation.membership_question or _(
                "Member of %(organisation)s?"
            ) % {"organisation": event.organisation.name}
        if event.custom_question:
            self.fields["answer"].label = event.custom_question
        else:
            del self.fields["answer"]
        if not adding:
            del self.fields["language"]
            if not (kwargs.get("initial") or {}).get("email", "-"):
                # A walk-in added at the door without an address: one may be added, none is needed.
                self.fields["email"].required = False

    @classmethod
    def initial_for(cls, registration) -> dict:
        return {
            name: getattr(registration, name)
            for name in (
                "first_name", "last_name", "email", "workplace", "job_title", "answer",
                *cls.SPECIAL_CATEGORY,
            )
        }  # fmt: skip

    def _special(self) -> SpecialAnswers | None:
        if not self.special_category:
            return None
        data = self.cleaned_data
        return SpecialAnswers(
            membership=data.get("membership", ""),
            diets=tuple(data.get("diets", ())),
            diet_other=data.get("diet_other", ""),
            other_needs=data.get("other_needs", ""),
        )

    def person(self) -> PersonData:
        data = self.cleaned_data
        special = self._special() or SpecialAnswers()
        return PersonData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            language=data["language"],
            answers=Answers(
                workplace=data.get("workplace", ""),
                job_title=data.get("job_title", ""),
                answer=data.get("answer", ""),
                membership=special.membership,
                diets=special.diets,
                diet_other=special.diet_other,
                other_needs=special.other_needs,
            ),
        )

    def edit(self) -> RegistrationEdit:
        data = self.cleaned_data
        return RegistrationEdit(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            workplace=data.get("workplace", ""),
            job_title=data.get("job_title", ""),
            answer=data.get("answer", ""),
            special=self._special(),
        )


def _choices(blank, choices):
    return [("", blank), *choices]


class RegistrationTableFilterForm(forms.Form):
    """The table's GET parameters. Anything unknown is ignored rather than refused."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    member = forms.ChoiceField(label=_("Member"), required=False)
    colleague = forms.ChoiceField(label=_("Registered by"), required=False)
    unconfirmed = forms.BooleanField(label=_("Only unconfirmed colleagues"), required=False)
    diet = forms.ChoiceField(label=_("Diet"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, special_category: bool, attendance: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if attendance:
            # Once the event's attendance is closed (checkin.attendance narrows the rows).
            self.fields["attendance"] = forms.ChoiceField(
                label=_("Attendance"),
                required=False,
                choices=_choices(_("Anyone"), [("arrived", _("Came")), ("no_show", _("No-show"))]),
            )
        self.fields["status"].choices = _choices(
            _("All"), [("active", _("Seat or waiting list")), *Status.choices]
        )
        self.fields["colleague"].choices = _choices(
            _("Anyone"), [("no", _("Themselves")), ("yes", _("A colleague"))]
        )
        if special_category:
            self.fields["member"].choices = _choices(
                _("All"),
                [
                    (Membership.MEMBER, _("Member")),
                    (Membership.NOT_MEMBER, _("Not a member")),
                    (Membership.UNDISCLOSED, _("Preferred not to say")),
                    ("unanswered", _("Not answered")),
                ],
            )
            self.fields["diet"].choices = _choices(
                _("All"), [("any", _("Any special diet")), ("none", _("No special diet")), *Diet.choices]
            )
        else:
            del self.fields["member"]
            del self.fields["diet"]

    def filters(self) -> TableFilters:
        self.is_valid()  # an unknown value in one field drops that filter, not the others
        data = self.cleaned_data
        return TableFilters(
            status=data.get("status", ""),
            member=data.get("member", ""),
            colleague=data.get("colleague", ""),
            unconfirmed=data.get("unconfirmed", False),
            diet=data.get("diet", ""),
        )

    def search(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("q", "")

    def attendance(self) -> str:
        """ "arrived", "no_show" or "" (only when the form was made with `attendance=True`)."""
        self.is_valid()
        return self.cleaned_data.get("attendance", "")
