"""Active content in a PDF, decided on the PDF's names as a reader sees them, never on raw bytes.

A name may be written with escapes (`/J#61vaScript` is `/JavaScript`) and objects may sit compressed inside
object streams, where no byte pattern reaches them. So a PDF is read twice: its objects through pypdf, which
undoes the escapes and opens object streams, walked from the trailer; and every name token of the raw file,
escapes undone, so that an object no cross-reference table names (which a viewer repairing the file would
still find) is judged too. Either finding active content refuses the file.

Active: scripts (JavaScript, JS), launch and submit actions, embedded files, rich media, XFA forms, additional
actions (AA), and an OpenAction that is anything but a plain view of a page. Hyperlinks (URI) and ordinary
outlines are not.
"""

import io
import re

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ACTIVE = {
    "/JavaScript",
    "/JS",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/AA",
    "/Sound",
    "/Movie",
}
VIEW_ACTIONS = {"/GoTo"}
MAX_OBJECTS = 500_000
NAME = re.compile(rb"/(?:[^\s/<>\[\](){}%]|#[0-9A-Fa-f]{2})*")
ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class Unreadable(Exception):
    """The file is not a PDF a reader could open."""


def raw_names(content: bytes) -> set[str]:
    """Every name token of the file, its #xx escapes undone."""
    found = set()
    for token in NAME.findall(content):
        decoded = ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), token) if b"#" in token else token
        found.add(decoded.decode("latin-1"))
    return found


def active_content(content: bytes) -> str | None:
    """The first active name found (e.g. "/JavaScript"), or None. Unreadable for a file pypdf cannot open."""
    found = raw_names(content) & ACTIVE
    if found:
        return sorted(found)[0]
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        return _walk(reader.trailer)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, NotImplementedError) as exc:
        raise Unreadable(str(exc)) from None


def _walk(trailer) -> str | None:
    pending, seen = [trailer], set()
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_OBJECTS:
                raise Unreadable("too many objects")
            value = value.get_object()
        if isinstance(value, DictionaryObject):
            for name, item in value.items():
                if name in ACTIVE:
                    return name
                if name == "/OpenAction" and not _plain_view(item):
                    return name
                pending.append(item)
        elif isinstance(value, ArrayObject):
            pending.extend(value)
        elif isinstance(value, NameObject) and value in ACTIVE:
            return str(value)
    return None


def _plain_view(action) -> bool:
    """An OpenAction that only shows a page: a destination array, or a GoTo action with no next action."""
    action = action.get_object() if isinstance(action, IndirectObject) else action
    if isinstance(action, ArrayObject):
        return True
    return isinstance(action, DictionaryObject) and action.get("/S") in VIEW_ACTIONS and "/Next" not in action
