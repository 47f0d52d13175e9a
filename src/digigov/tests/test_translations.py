"""The English catalogue is complete, and the compiled .mo says what the .po says."""

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES"


def read_po(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    msgid = msgstr = None
    current = None
    for line in [*path.read_text().splitlines(), ""]:
        if line.startswith("msgid "):
            if msgid is not None and msgstr is not None:
                entries[msgid] = msgstr
            msgid, msgstr, current = ast.literal_eval(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"'):
            if current == "id":
                msgid = (msgid or "") + ast.literal_eval(line)
            elif current == "str":
                msgstr = (msgstr or "") + ast.literal_eval(line)
    if msgid is not None and msgstr is not None:
        entries[msgid] = msgstr
    entries.pop("", None)  # the header
    return entries


def test_every_message_has_an_english_translation():
    entries = read_po(LOCALE / "django.po")
    assert entries, "no messages found"
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


def test_the_compiled_catalogue_matches_the_source():
    entries = read_po(LOCALE / "django.po")
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in entries.items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages`"


def test_no_translation_is_a_guess():
    """makemessages marks a near match fuzzy, and a fuzzy entry is not compiled: the
    English page would show Swedish."""
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text()
