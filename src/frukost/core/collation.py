"""Swedish alphabetical order for names, the same on SQLite and PostgreSQL whatever their collation.

The door list on the phone, its JSON for offline use and the printed door list all sort with this
key, so the paper and the phone agree on where "Åberg", "Ängel" and "Öst" are.
"""

from __future__ import annotations

import unicodedata

# … x y z å ä ö. Letters after z get code points after "z"; other accented letters sort as their
# base letter (é as e), ü as y, æ as ä and ø as ö, as in Swedish.
_SWEDISH_LETTERS = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})


def swedish_sort_key(text: str) -> str:
    """A key that sorts names the Swedish way ("Ek" < "Zorn" < "Åberg" < "Ängel" < "Öst")."""
    swapped = unicodedata.normalize("NFC", text.casefold()).translate(_SWEDISH_LETTERS)
    decomposed = unicodedata.normalize("NFKD", swapped)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def by_name(last_name: str, first_name: str, pk: int) -> tuple[str, str, int]:
    return (swedish_sort_key(last_name), swedish_sort_key(first_name), pk)
