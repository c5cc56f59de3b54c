"""The one shape of every refusal the JSON API gives, and what each status means.

{"error": a stable code, "message": for people, "problems": per field (422)}.
"""

from ninja import Schema

ERRORS = {
    400: ("bad_request", "The body is not JSON, or holds text that cannot be stored (a NUL, an unpaired surrogate)."),
    401: ("unauthorized", "No API key, or one that is unknown or revoked."),
    403: ("forbidden", "The key's user may not do this, or the request came from another site."),
    404: ("not_found", "No such record within the key's scope."),
    409: ("conflict", "Not in the campaign's current state."),
    413: ("too_large", "The body is larger than 1 MB."),
    422: ("invalid", "A field is missing, of the wrong type, out of range or refused; `problems` names each."),
}


class ApiError(Schema):
    error: str
    message: str | None = None
    problems: dict | list | None = None
