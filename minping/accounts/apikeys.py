import hashlib
import hmac
import secrets

from minping.accounts.models import ApiKey


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(*, user, name: str) -> tuple[ApiKey, str]:
    """Store a new key's digest; the row and the key in clear (`mp_<prefix>_<secret>`), which is not kept.
    accounts.actions.create_api_key is the audited way to call it."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret))
    return key, f"mp_{prefix}_{secret}"


def user_for_key(presented: str):
    try:
        _mp, prefix, secret = presented.split("_", 2)
    except ValueError:
        return None
    key = ApiKey.objects.select_related("user__region").filter(prefix=prefix, is_revoked=False).first()
    if key is None or not key.user.is_active or not hmac.compare_digest(key.digest, _digest(secret)):
        return None
    return key.user
