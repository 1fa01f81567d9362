"""What may stand where a person's name goes.

A name is written into the greeting and the subject of e-mails sent from the organisation's
address to someone else (a colleague's invitation says "<name> has registered you"). Anything that
is more than a name there is a phishing line from a trusted sender: "Ditt konto är spärrat. Logga
in på www.evil.example/bankid". So names with web or e-mail addresses, or with the punctuation
of a sentence or a URL, are refused when given, and a stored name that still looks like that
(given before this check) is left out of the e-mail when it is composed.
"""

from __future__ import annotations

import re

# Characters no one's name has, but addresses, markup and sentences do.
FORBIDDEN_CHARACTERS = frozenset('<>@"\\;:/=?&#%|{}[]!*$^~+_')
# "evil.example", "www.x.se": letters, a dot and letters again without a space between.
_DOMAIN_LIKE = re.compile(r"[^\W_]{2,}\.[^\W_]{2,}")
_WWW = re.compile(r"(?:^|\W)www(?:\W|$)", re.IGNORECASE)
# A first or last name of more words than this is a sentence, not a name.
MAX_WORDS = 5


def looks_like_a_name(value: str, *, max_words: int = MAX_WORDS) -> bool:
    """True for "Anna-Karin O'Neill", "Åsa Öberg-Ström", "Anna M. Svensson"; False for anything
    with an address, a domain, URL or sentence punctuation, or more than a few words."""
    if any(character in FORBIDDEN_CHARACTERS for character in value):
        return False
    if _DOMAIN_LIKE.search(value) or _WWW.search(value):
        return False
    return len(value.split()) <= max_words


def safe_name(value: str, fallback: str = "") -> str:
    """A (full) name, for an e-mail's greeting or subject; `fallback` if it is more than a name."""
    value = " ".join(value.split())
    if value and len(value) <= 201 and looks_like_a_name(value, max_words=2 * MAX_WORDS):
        return value
    return fallback
