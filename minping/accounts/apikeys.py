import hashlib
import hmac
import secrets

from minping.accounts.models import ApiKey


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(*, user, name: str) -> str:
    """Create a key and return it in clear, once: `mp_<prefix>_<secret>`."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    ApiKey.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret))
    return f"mp_{prefix}_{secret}"


def user_for_key(presented: str):
    try:
        _mp, prefix, secret = presented.split("_", 2)
    except ValueError:
        return None
    key = ApiKey.objects.select_related("user__region").filter(prefix=prefix, is_revoked=False).first()
    if key is None or not key.user.is_active or not hmac.compare_digest(key.digest, _digest(secret)):
        return None
    return key.user
