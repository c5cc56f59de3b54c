"""Django's CSRF protection, with two changes: `Origin: null` is accepted when the browser marks the request
same-origin, and the random strings of tokens are drawn faster."""

import secrets

from django.middleware import csrf
from django.middleware.csrf import CsrfViewMiddleware

USABLE_BYTES = 256 - 256 % len(csrf.CSRF_ALLOWED_CHARS)  # 248: a byte below it maps evenly onto the 62 characters


def random_csrf_string() -> str:
    """A CSRF secret or mask: CSRF_SECRET_LENGTH characters, each drawn evenly from CSRF_ALLOWED_CHARS, as
    Django's own is, but from one read of the OS random source rather than one a character. Every voter's first
    page needs a secret and each form a mask; Django's 64 reads were an eighth of a meeting's server time
    (bench/meeting.py)."""
    chars, length = csrf.CSRF_ALLOWED_CHARS, csrf.CSRF_SECRET_LENGTH
    drawn: list[str] = []
    while len(drawn) < length:
        drawn += [chars[byte % len(chars)] for byte in secrets.token_bytes(2 * length) if byte < USABLE_BYTES]
    return "".join(drawn[:length])


csrf._get_new_csrf_string = random_csrf_string  # what Django's secrets and masks are made with


class CsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, accepting `Origin: null` when the browser marks the request same-origin.

    Ballot pages send `Referrer-Policy: no-referrer`, under which browsers post forms with `Origin: null`.
    Such a request passes the origin check only if `Sec-Fetch-Site` says it came from this site; the CSRF token
    is checked as always, so a cross-site page still cannot post a ballot form.
    """

    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") == "same-origin"
        return super()._origin_verified(request)
