"""The export page's form: format, which registrations, which columns."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frukost.registrations.exports import (
    DEFAULT_COLUMNS,
    DEFAULT_STATUSES,
    STATUS_LABELS,
    ExportFormat,
    columns_for,
)


class ExportForm(forms.Form):
    """Special-category columns (membership, diets, needs) are a field of their own, offered only
    to members whose role may see them and never ticked in advance."""

    format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX, widget=forms.RadioSelect
    )
    statuses = forms.MultipleChoiceField(
        label=_("Which registrations"),
        choices=list(STATUS_LABELS.items()),
        initial=list(DEFAULT_STATUSES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of registration.")},
    )
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_COLUMNS),
        required=False,
    )
    special_columns = forms.MultipleChoiceField(
        label=_("Membership, diets and needs (special-category data)"),
        help_text=_(
            "Export these only if you need them, and keep the file safe. They are never ticked for you."
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = columns_for(member)
        self.fields["columns"].choices = [(c.key, c.label) for c in allowed if not c.special_category]
        special = [(c.key, c.label) for c in allowed if c.special_category]
        if special:
            self.fields["special_columns"].choices = special
        else:
            del self.fields["special_columns"]

    def clean(self):
        cleaned = super().clean()
        chosen = list(cleaned.get("columns") or []) + list(cleaned.get("special_columns") or [])
        if not chosen and not self.errors:
            self.add_error("columns", _("Choose at least one column."))
        cleaned["chosen_columns"] = chosen
        return cleaned
