"""Writes of accounts: API keys, created and revoked from the console or the command line, each audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minping.accounts.apikeys import new_key
from minping.accounts.models import ApiKey
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
        key, presented = new_key(user=user, name=name)
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
