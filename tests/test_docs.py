"""Every environment variable the settings read is documented in docs/configuration.md."""

import re
from pathlib import Path

import minping.settings

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
