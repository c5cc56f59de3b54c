"""The Chinese catalogue translates every string of the interface."""

import ast
import gettext
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "minping" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    """(msgid, [msgstr…]) pairs of the catalogue, continuation lines joined."""
    current, key, found = {}, None, []
    for line in PO.read_text().splitlines() + [""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
            key, _sep, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip() and current:
            found.append((current.get("msgid", ""), [v for k, v in current.items() if k.startswith("msgstr")]))
            current, key = {}, None
    return [(msgid, strs) for msgid, strs in found if msgid]


def test_every_string_has_a_chinese_translation():
    untranslated = [msgid for msgid, strs in entries() if not all(strs)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with open(PO.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [msgid for msgid, strs in entries() if len(strs) == 1 and compiled.gettext(msgid) != strs[0]]
    assert stale == [], "run scripts/translate_zh.py to recompile"


GLOSSARY = PO.parent.parent.parent / "glossary.tsv"


def test_every_translation_uses_the_glossarys_terms():
    """Each English term of the practice is said the same way in Chinese wherever it appears (minping/locale/
    glossary.tsv): category is 类别 and a post's category 职务类别, the quorum 法定有效票数, and so on."""
    import re

    rules = [line.split("\t")[:2] for line in GLOSSARY.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert len(rules) >= 10
    off = [
        (term, msgid, strs[0])
        for pattern, term in rules
        for msgid, strs in entries()
        if re.search(pattern, msgid, re.I) and not all(term in s for s in strs)
    ]
    assert off == []
    said = dict((msgid, strs[0]) for msgid, strs in entries() if len(strs) == 1)
    assert (said["category"], said["post category"]) == ("类别", "职务类别")  # a commitment's or a problem's category is no post's
