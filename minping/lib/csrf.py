"""Django's CSRF protection, with two changes: `Origin: null` is accepted when the browser marks the request
same-origin, and tokens are drawn, masked and unmasked faster."""

import operator
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

# A token's characters as their positions in CSRF_ALLOWED_CHARS (and as 62 less those), and a sum of two positions
# as the character at that sum modulo 62: masking and unmasking in a few C calls, not 64 searches of the alphabet.
_ALPHABET = csrf.CSRF_ALLOWED_CHARS.encode()
_POSITION = bytes.maketrans(_ALPHABET, bytes(range(len(_ALPHABET))))
_NEGATED = bytes.maketrans(_ALPHABET, bytes(len(_ALPHABET) - n for n in range(len(_ALPHABET))))
_CHARACTER_OF_SUM = bytes(_ALPHABET[n % len(_ALPHABET)] for n in range(256))


def _moved(text: str, by: str, table: bytes) -> str:
    """Each character of `text` moved along the alphabet by the position `table` gives the character of `by`."""
    return bytes(map(operator.add, text.encode().translate(_POSITION), by.encode().translate(table))).translate(_CHARACTER_OF_SUM).decode()


def mask_cipher_secret(secret: str) -> str:
    """Django's _mask_cipher_secret: a new mask, then each character of the secret moved on by the mask's."""
    mask = random_csrf_string()
    return mask + _moved(secret, mask, _POSITION)


def unmask_cipher_token(token: str) -> str:
    """Django's _unmask_cipher_token, for a token of CSRF_ALLOWED_CHARS (Django checks that first): each character
    of its second half moved back by the mask's, the first half."""
    length = csrf.CSRF_SECRET_LENGTH
    return _moved(token[length:], token[:length], _NEGATED)


csrf._mask_cipher_secret, csrf._unmask_cipher_token = mask_cipher_secret, unmask_cipher_token


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
