"""The words beside the "future invitations" box: shown on the form and recorded with the consent.

The form's label and hint come from here, and a consent records them as the person saw them (in
the language of the page), so what is stored is exactly what was asked.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from frukost.events.models import Organisation


def consent_label(organisation: Organisation) -> str:
    return _("Yes, send me invitations to future events from %(organisation)s") % {
        "organisation": organisation.name
    }


def consent_hint() -> str:
    return _(
        "We then keep your name, e-mail address, workplace and job title to be able to invite you, "
        "until you ask us to stop. Untick the box on your personal page or write to us."
    )


def consent_text(organisation: Organisation, language: str | None = None) -> str:
    """The label and its hint as one text, in `language` (the active one if not given)."""
    with translation.override(language or translation.get_language()):
        return f"{consent_label(organisation)}. {consent_hint()}"
