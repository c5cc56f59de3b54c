"""Every environment variable the settings read is documented in docs/configuration.md."""

import re
from pathlib import Path

import minping.settings
from minping.results import flags
from minping.results.figures import DEFINITIONS

ROOT = Path(__file__).resolve().parent.parent
READ_RE = re.compile(r"env(?:_bool|_int|_list|_secret)?\(\s*\"([A-Z0-9_]+)\"")


def variables_read() -> set[str]:
    names = set(READ_RE.findall(Path(minping.settings.__file__).read_text()))
    secrets = re.findall(r"env_secret\(\s*\"([A-Z0-9_]+)\"", Path(minping.settings.__file__).read_text())
    return names | {f"{name}_FILE" for name in secrets}


def variables_documented() -> set[str]:
    text = (ROOT / "docs" / "configuration.md").read_text()
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", text, re.MULTILINE))


def test_every_variable_the_settings_read_is_documented():
    assert variables_read() - variables_documented() == set()


def test_the_docs_list_no_variable_the_settings_do_not_read():
    assert variables_documented() - variables_read() == set()


def test_the_parser_sees_the_variables():
    assert {"DATABASE_URL", "MINPING_SECRET_KEY_FILE", "MINPING_IMPORT_MAX_MB"} <= variables_read()


def test_scoring_names_every_definition_and_flag_threshold():
    scoring = (ROOT / "minping" / "results" / "SCORING.md").read_text()
    for term, _text in DEFINITIONS:
        assert term in scoring, term
    for kind in ("identical", "straight", "high_rate", "channel_gap", "over_issued"):
        assert f"| {kind} |" in scoring, kind
    assert f"{flags.HIGH_RATE * 100:g}%" in scoring and f"at least {flags.IDENTICAL_MIN} ballots" in scoring
    assert f"{flags.CHANNEL_GAP:g} points" in scoring
