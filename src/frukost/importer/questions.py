"""The running text's questions for reflection, and what every attendee receives."""

from __future__ import annotations

import re
from collections.abc import Sequence

_GIFT_RE = re.compile(
    r"\b(?:får\s+(?:du|ni|alla|varje|samtliga)(?:\s+(?:deltagare|deltagarna|besökare|närvarande))?"
    r"|du\s+får|ni\s+får|alla\s+deltagare\s+får|ingår|delas\s+ut|bjuder\s+vi\s+(?:också\s+)?på"
    r"|(?:you|attendees|participants|everyone|each\s+participant|every\s+attendee|all\s+participants)"
    r"\s+(?:will\s+)?(?:also\s+)?(?:receive|receives|get|gets|take\s+home)|you'll\s+(?:also\s+)?(?:receive|get))"
    r"(?:\s+(?:också|även|dessutom|med\s+dig(?:\s+hem)?|hem|gratis|kostnadsfritt|also|each|a\s+free|free))*"
    r"\s+(?P<gift>[^.,;:!?\n]{3,120})",
    re.IGNORECASE,
)
_GIFT_NOUN_RE = re.compile(
    r"\b(?:bok|boken|böcker|book|books|exemplar|copy|present|gåva|gift|rapport(?:en)?|skrift(?:en)?|antologi\w*"
    r"|tygkasse|kasse|bag|goodie\w*|handbok(?:en)?|handbook|guide(?:n)?|report|checklist\w*|certifikat|certificate)\b",
    re.IGNORECASE,
)
_NOT_A_QUESTION = re.compile(
    r"^(?:har\s+du\s+(?:några\s+)?frågor|frågor|questions|any\s+questions|undrar\s+du\s+något|vill\s+du\s+veta\s+mer"
    r"|have\s+questions|do\s+you\s+have\s+(?:any\s+)?questions)\b",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?\n]*[^\s.!?\n][^.!?\n]*[.!?]*")


def find_gift(text: str) -> str | None:
    """ "Vid frukostmötet får du också boken Leda med tillit, där …" -> "boken Leda med tillit"."""
    for match in _GIFT_RE.finditer(text):
        gift = match.group("gift").strip()
        gift = re.split(r"\s+(?:där|som|och\s+får|which|where|that|written|skriven)\b", gift)[0].strip()
        if _GIFT_NOUN_RE.search(gift) and len(gift) <= 300:
            return gift
    return None


def find_questions(paragraphs: Sequence[str]) -> list[str]:
    """The questions put to the reader: from the paragraphs that ask several, else every one."""
    per_paragraph = []
    for paragraph in paragraphs:
        questions = []
        for sentence in _SENTENCE_RE.findall(paragraph):
            sentence = re.sub(r"^[-•*·\s]+", "", sentence).strip()
            if sentence.endswith("?") and len(sentence) > 8 and not _NOT_A_QUESTION.match(sentence):
                questions.append(sentence)
        per_paragraph.append(questions)
    if any(len(questions) >= 2 for questions in per_paragraph):
        return [q for questions in per_paragraph if len(questions) >= 2 for q in questions]
    return [q for questions in per_paragraph for q in questions]
