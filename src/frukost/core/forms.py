"""Form helpers shared by every app that turns a service's refusal into form errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def add_errors(form, errors: Mapping[str, Sequence[str]]) -> None:
    """Show a service's reasons (field name -> messages) on the fields it names, the rest above the form."""
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
