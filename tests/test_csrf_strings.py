"""The CSRF secrets and masks Django makes come from lib/csrf's drawing: the same length and characters, each
character as likely as any other."""

from collections import Counter

from django.middleware import csrf

from minping.lib.csrf import mask_cipher_secret, random_csrf_string, unmask_cipher_token


def test_django_makes_its_secrets_and_masks_with_it():
    assert csrf._get_new_csrf_string is random_csrf_string


def test_a_string_has_the_length_and_characters_of_djangos():
    for _ in range(200):
        drawn = random_csrf_string()
        assert len(drawn) == csrf.CSRF_SECRET_LENGTH
        assert set(drawn) <= set(csrf.CSRF_ALLOWED_CHARS)


def test_every_character_is_as_likely_as_any_other():
    counts = Counter("".join(random_csrf_string() for _ in range(8000)))  # 256,000 characters, ~4,129 each
    expected = 8000 * csrf.CSRF_SECRET_LENGTH / len(csrf.CSRF_ALLOWED_CHARS)
    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    chi_square = sum((count - expected) ** 2 / expected for count in counts.values())
    # 61 degrees of freedom: 115 is beyond the 0.99999 quantile. Keeping bytes 248-255 (a plain modulo) favours
    # the first eight characters (5 bytes each against 4) and gives a statistic near 1,700.
    assert chi_square < 115, chi_square


def djangos_unmask(token: str) -> str:
    """Django's own _unmask_cipher_token, as Django 5.2 writes it."""
    chars, length = csrf.CSRF_ALLOWED_CHARS, csrf.CSRF_SECRET_LENGTH
    pairs = zip((chars.index(x) for x in token[length:]), (chars.index(x) for x in token[:length]))
    return "".join(chars[x - y] for x, y in pairs)


def test_tokens_are_masked_and_unmasked_as_django_does():
    assert (csrf._mask_cipher_secret, csrf._unmask_cipher_token) == (mask_cipher_secret, unmask_cipher_token)
    edges = [csrf.CSRF_ALLOWED_CHARS[0] * 32, csrf.CSRF_ALLOWED_CHARS[-1] * 32, csrf.CSRF_ALLOWED_CHARS[:32]]
    for secret in [*edges, *(random_csrf_string() for _ in range(500))]:
        token = mask_cipher_secret(secret)
        assert len(token) == csrf.CSRF_TOKEN_LENGTH and set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
        assert djangos_unmask(token) == unmask_cipher_token(token) == secret
        assert csrf._does_token_match(token, secret)
    for mask in edges:  # a token Django's own masking made, with the mask at either end of the alphabet
        secret = random_csrf_string()
        chars = csrf.CSRF_ALLOWED_CHARS
        cipher = "".join(chars[(chars.index(s) + chars.index(m)) % len(chars)] for s, m in zip(secret, mask))
        assert unmask_cipher_token(mask + cipher) == secret
