"""Text people type or paste into a form, made safe to store and send."""

from __future__ import annotations

import unicodedata


def plain_text(value: str | None) -> str:
    """Line breaks as "\\n", tabs kept, other control characters (pasted from word processors)
    dropped, and no surrounding blanks."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
