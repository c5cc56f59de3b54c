"""Row ids and counts as they arrive in URLs and API bodies, bounded to what the databases store.

A number too large for a 64-bit integer makes SQLite raise OverflowError on the query, a 500. URLs take ids
through the `id` path converter (at most 18 digits, so anything longer is simply not found: 404); API bodies
take them as `Id` (1 … 2⁶³ − 1) and counts as `Count` (0 … 2³¹ − 1), so a larger number is a 422 naming the
field.
"""

import uuid
from typing import Annotated

from django.urls import register_converter
from pydantic import Field

ID_DIGITS = 18  # every 18-digit number fits in a signed 64-bit integer

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


class IdConverter:
    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


def client_uuid(value) -> uuid.UUID:
    """The id a record was given where it was made (a phone, a form when it was shown), as a UUID; ValidationError
    in Chinese on "id" otherwise."""
    from django.core.exceptions import ValidationError

    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationError({"id": "记录编号格式不正确"}) from None
