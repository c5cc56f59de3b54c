"""One-time codes: a 128-bit token for the QR code and a short code with a check character for typing.

Both are stored only as keyed digests, so a copy of the database yields no usable code. The short code uses
Crockford's base-32 alphabet (no I, L, O, U; typing them is forgiven) and a Luhn mod-32 check character that
catches every single mistyped character and most swaps before the database is asked.
"""

import base64
import functools
import hashlib
import re
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TYPO_MAP = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
SHORT_LENGTH = 10  # 50 bits, plus the check character
TOKEN_BYTES = 16  # 128 bits
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
_FROM_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)


class CodeFormatError(ValueError):
    """The text is not a code at all (wrong length or check character): a typo, not a guess."""


def luhn_check_char(body: str) -> str:
    factor, total, n = 2, 0, len(ALPHABET)
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def random_chars(count: int) -> str:
    """`count` characters of the alphabet, each 5 random bits, from one read of the system's random source."""
    return base64.b32encode(secrets.token_bytes((count * 5 + 7) // 8)).decode()[:count].translate(_FROM_BASE32)


def new_code() -> tuple[str, str]:
    """A fresh (token, short code) pair."""
    token = secrets.token_hex(TOKEN_BYTES)
    body = random_chars(SHORT_LENGTH)
    return token, body + luhn_check_char(body)


def format_short(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise_short(text: str) -> str:
    import unicodedata

    code = "".join(unicodedata.normalize("NFKC", text).split()).replace("-", "").upper().translate(TYPO_MAP)
    if len(code) != SHORT_LENGTH + 1 or any(c not in ALPHABET for c in code):
        raise CodeFormatError("测评码应为11位字母或数字（如 ABCD-EFGH-JKM），请核对")
    if luhn_check_char(code[:-1]) != code[-1]:
        raise CodeFormatError("测评码有误，请逐位核对后重新输入")
    return code


TRACKER_LENGTH = 10
DASHES = dict.fromkeys(map(ord, "-‐‑‒–—―−_·．."), None)


def normalise_tracker(text: str) -> str:
    """A receipt tracker however it was typed (spaces, no hyphen, lower case, full-width characters, a look-alike
    letter) in the form trackers are stored: XXXXX-XXXXX. Anything that cannot be one comes back cleaned up,
    and simply matches nothing."""
    import unicodedata

    body = "".join(unicodedata.normalize("NFKC", text[:64]).split()).translate(DASHES).upper().translate(TYPO_MAP)
    return f"{body[:5]}-{body[5:]}" if len(body) == TRACKER_LENGTH else body[:20]


@functools.cache
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"minping-codes:" + secret.encode()).digest()


def digest(kind: str, value: str) -> str:
    return hashlib.blake2b(f"{kind}:{value}".encode(), key=_key(settings.PII_KEY), digest_size=32).hexdigest()


def lookup_digests(presented: str) -> tuple[str, str]:
    """The (field, digest) to look a presented code up by: a QR token or a typed short code."""
    text = presented.strip()
    if TOKEN_RE.match(text):
        return "token_digest", digest("token", text)
    return "short_digest", digest("short", normalise_short(text))
