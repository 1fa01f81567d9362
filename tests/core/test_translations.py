"""The Swedish catalogue: complete, compiled, and covering every string in the code.

The msgids are the English text, so English needs no catalogue; Swedish needs every entry. The
catalogue is refreshed with `make messages` (GNU gettext), and both django.po and django.mo are
committed so that nobody needs gettext to run the site.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

import frukost
from frukost.registrations.enums import Diet, Membership

SOURCE = Path(frukost.__file__).resolve().parent
PO = SOURCE / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    # PO strings use C escapes (\" \\ \n \t), which a Python string literal reads the same way.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header included (msgid ""); obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current = Entry(line=1)
    target: tuple[str, int] | None = None
    number = 0

    def finish():
        nonlocal current, target
        if current.msgid is not None:
            entries.append(current)
        current, target = Entry(line=number + 1), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match:
            keyword, index, text = match.groups()
            if keyword == "msgid" and current.msgid is not None and target and target[0] == "msgstr":
                finish()  # entries not separated by a blank line
            value = _unquote(text)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(current, keyword, value)
            continue
        if line.startswith('"') and target is not None:
            value = _unquote(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
            continue
        raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    number += 1
    finish()
    return entries


def _messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid]


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
_TAG = re.compile(r"<[^>]+>")


def _sorted(pattern: re.Pattern, text: str) -> list[str]:
    return sorted(pattern.findall(text) if pattern is _TAG else (m.group(0) for m in pattern.finditer(text)))


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return parse_po(PO)


def test_parser_reads_plurals_continuations_and_flags(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: sv\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Hello "\n"%(name)s"\nmsgstr "Hej %(name)s"\n\n'
        'msgid "%(n)s seat"\nmsgid_plural "%(n)s seats"\n'
        'msgstr[0] "%(n)s plats"\nmsgstr[1] ""\n"%(n)s platser"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr "maj"\n\n#~ msgid "Old"\n#~ msgstr "Gammal"\n',
        encoding="utf-8",
    )
    header, hello, seats, may = parse_po(sample)
    assert header.msgid == "" and header.msgstr[0] == "Language: sv\n"
    assert hello.msgid == "Hello %(name)s" and hello.flags == {"fuzzy", "python-format"}
    assert seats.msgid_plural == "%(n)s seats" and seats.msgstr == {0: "%(n)s plats", 1: "%(n)s platser"}
    assert may.key == ("month", "May", None) and may.msgstr[0] == "maj"


def test_header_declares_swedish_utf8_and_plural_forms(catalogue):
    header = next(entry for entry in catalogue if entry.msgid == "")
    text = header.msgstr[0]
    assert "fuzzy" not in header.flags, "msgfmt ignores a fuzzy header: remove '#, fuzzy' above msgid \"\""
    assert "Language: sv\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    messages = _messages(catalogue)
    assert len(messages) > 100, "the Swedish catalogue looks truncated"
    fuzzy = [str(entry) for entry in messages if "fuzzy" in entry.flags]
    untranslated = [
        str(entry)
        for entry in messages
        if not entry.msgstr
        or not all(entry.msgstr.values())
        or (entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1])
    ]
    assert not fuzzy, "fuzzy entries (check the Swedish, then remove the flag):\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries in sv/django.po:\n" + "\n".join(untranslated)


def test_translations_keep_placeholders_and_html(catalogue):
    problems = []
    for entry in _messages(catalogue):
        for index, translated in entry.msgstr.items():
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if entry.msgid_plural is not None and index == 0:
                # The singular may leave out the number ("one seat"), never invent a placeholder.
                if not set(_sorted(_PLACEHOLDER, translated)) <= set(
                    _sorted(_PLACEHOLDER, entry.msgid) + _sorted(_PLACEHOLDER, entry.msgid_plural)
                ):
                    problems.append(f"{entry} msgstr[0] has a placeholder the English lacks")
                continue
            if _sorted(_PLACEHOLDER, translated) != _sorted(_PLACEHOLDER, source):
                problems.append(f"{entry} msgstr[{index}] placeholders differ")
            if _sorted(_TAG, translated) != _sorted(_TAG, source):
                problems.append(f"{entry} msgstr[{index}] HTML differs")
    assert not problems, "\n".join(problems)


def test_swedish_follows_the_house_style(catalogue):
    """Swedish quotation marks and the time style of the public-sector web guidelines."""
    problems = []
    for entry in _messages(catalogue):
        for translated in entry.msgstr.values():
            if "“" in translated:
                problems.append(f"{entry}: Swedish quotes are ”…”, not “…”")
            if re.search(r"\bkl\.\s*\d{1,2}:\d\d", translated):
                problems.append(f"{entry}: write times as kl. 08.00")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """django.mo is what Django reads: it must hold exactly what django.po says (run `make messages`)."""
    assert MO.exists(), "django.mo is missing: run `make messages` and commit it"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages(catalogue):
        if entry.msgid_plural is not None:
            for n, index in ((1, 0), (2, 1)):
                if entry.msgctxt is not None:
                    got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                else:
                    got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                if got != entry.msgstr[index]:
                    stale.append(f"{entry} [{index}]: .mo has {got!r}")
        else:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr[0]:
                stale.append(f"{entry}: .mo has {got!r}")
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in compiled._catalog} - {""}
    po_ids = {
        (f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid)
        for entry in _messages(catalogue)
    }
    extra = sorted(compiled_ids - po_ids)
    assert not stale, "django.mo is older than django.po; run `make messages`:\n" + "\n".join(stale)
    assert not extra, "django.mo holds strings django.po no longer has; run `make messages`:\n" + "\n".join(
        map(repr, extra)
    )


def test_django_serves_the_swedish_catalogue():
    with translation.override("sv"):
        assert translation.gettext("Register") == "Anmäl dig"
        assert translation.gettext("Welcome!") == "Varmt välkommen!"
        assert translation.ngettext(
            "We have also e-mailed your colleague, who confirms for themselves.",
            "We have also e-mailed your %(counter)s colleagues, who confirm for themselves.",
            3,
        ) % {"counter": 3} == ("Vi har också mejlat dina 3 kollegor, som bekräftar själva.")
        assert str(Diet.NUTS.label) == "Nötter"
        assert str(Membership.UNDISCLOSED.label) == "Jag vill inte svara"
    with translation.override("en"):
        assert translation.gettext("Register") == "Register"


_GETTEXT = ("xgettext", "msgmerge", "msguniq")


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in _GETTEXT),
    reason="GNU gettext (xgettext, msgmerge, msguniq) is not installed: apt-get install gettext "
    "(CI installs it) to check that the catalogue covers every string",
)
def test_catalogue_covers_every_string_in_the_code(catalogue, tmp_path, settings, monkeypatch):
    """makemessages on a copy of the source must find nothing the committed sv catalogue lacks."""
    copy = tmp_path / "frukost"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", ".*"))
    (copy / "locale").mkdir()
    # makemessages writes to LOCALE_PATHS[0]: point it at the copy so the real catalogue is untouched.
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["sv"], no_obsolete=True, verbosity=0, stdout=io.StringIO())

    fresh = parse_po(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    committed = {entry.key for entry in _messages(catalogue)}
    missing = [str(entry) for entry in _messages(fresh) if entry.key not in committed]
    assert not missing, (
        "strings in the code that src/frukost/locale/sv/LC_MESSAGES/django.po lacks; run `make messages`, "
        "translate them, run `make messages` again and commit django.po and django.mo:\n" + "\n".join(missing)
    )
