import hashlib
import hmac

from minping.accounts.models import ApiKey


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def user_for_key(presented: str):
    try:
        _mp, prefix, secret = presented.split("_", 2)
    except ValueError:
        return None
    key = ApiKey.objects.select_related("user__region").filter(prefix=prefix, is_revoked=False).first()
    if key is None or not key.user.is_active or not hmac.compare_digest(key.digest, digest(secret)):
        return None
    return key.user
