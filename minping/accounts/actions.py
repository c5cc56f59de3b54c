"""Writes of accounts: API keys, created and revoked from the console or the command line, each audited; the
nightly removal of expired sessions."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minping.accounts import apikeys
from minping.accounts.models import ApiKey, Session
from minping.audit.actions import record_event


def create_api_key(*, actor, user, name: str) -> str:
    """A key acting as `user` (with its role and region); returned in clear this once. Console users make keys for
    themselves; a system administrator for anyone."""
    if actor is not None and actor != user and not actor.is_system_admin:
        raise PermissionDenied("只能为自己创建接口密钥")
    name = (name or "").strip()
    if not name or len(name) > ApiKey._meta.get_field("name").max_length:
        raise ValidationError({"name": "请填写 1 到 100 个字的密钥名称"})
    with transaction.atomic():
        key, presented = _new_key(user=user, name=name)
        record_event(actor=actor, action="apikey.create", obj=key, data={"user": user.username, "prefix": key.prefix})
    return presented


def revoke_api_key(*, actor, key: ApiKey) -> ApiKey:
    if actor is not None and actor != key.user and not actor.is_system_admin:
        raise PermissionDenied("只能吊销自己的接口密钥")
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.is_revoked:
            raise ValidationError("该密钥已被吊销")
        key.is_revoked = True
        key.save(update_fields=["is_revoked"])
        record_event(actor=actor, action="apikey.revoke", obj=key, data={"user": key.user.username, "prefix": key.prefix})
    return key


def _new_key(*, user, name: str) -> tuple[ApiKey, str]:
    """Store a new key's digest; the row and the key in clear (`mp_<prefix>_<secret>`), which is not kept."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey.objects.create(user=user, name=name, prefix=prefix, digest=apikeys.digest(secret))
    return key, f"mp_{prefix}_{secret}"


def clear_expired_sessions() -> int:
    """Delete the sessions that have expired (they can no longer be used); how many."""
    cleared, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return cleared
