"""The forms of an import: the upload, and the preview's choices (columns, delimiter, sheet)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frukost.invitations import importing
from frukost.invitations.importing import Field


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("The member list"),
        help_text=_(
            "CSV (semicolon, comma or tab separated) or Excel (.xlsx), at most 10 MB and 20 000 rows."
        ),
        error_messages={"empty": _("The file is empty."), "required": _("Choose the file to upload.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": importing.MAX_BYTES // 2**20}
            )
        return upload


class MappingForm(forms.Form):
    """Which column is which, read from the preview's GET (or the confirmation's POST)."""

    name = forms.CharField(label=_("Name of the list"), max_length=200, required=False)
    delimiter = forms.ChoiceField(label=_("Columns separated by"), required=False)
    sheet = forms.ChoiceField(label=_("Sheet"), required=False)

    def __init__(self, *args, table: importing.Table, include_membership: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.table = table
        self.include_membership = include_membership
        columns = [("", _("(not in the file)"))] + [
            (str(i), header or _("Column %(number)s") % {"number": i + 1})
            for i, header in enumerate(table.headers)
        ]
        guessed = importing.initial_mapping(table, include_membership=include_membership)
        for f in Field:
            if f == Field.MEMBERSHIP and not include_membership:
                continue  # special-category data: the column cannot be chosen without the right
            self.fields[f"column_{f.value}"] = forms.ChoiceField(
                label=f.label,
                choices=columns,
                required=f == Field.EMAIL,  # the one column an invitation cannot do without
                initial=str(guessed.get(f.value, "")),
            )
        self.fields["delimiter"].choices = [("", _("Guess"))] + [
            (k, v) for k, v in importing.DELIMITERS.items()
        ]
        self.fields["delimiter"].initial = table.delimiter
        if table.kind != "csv":
            del self.fields["delimiter"]
        if len(table.sheets) > 1:
            self.fields["sheet"].choices = [(s, s) for s in table.sheets]
            self.fields["sheet"].initial = table.sheet
        else:
            del self.fields["sheet"]

    def mapping(self) -> dict[str, int]:
        """The chosen mapping (the guesses where the form was not sent)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        mapping = {}
        for f in Field:
            key = f"column_{f.value}"
            if key not in self.fields:
                continue
            value = data.get(key) if self.is_bound else self.fields[key].initial
            if value not in (None, ""):
                mapping[f.value] = int(value)
        return mapping
