"""Storing evidence files: checked by lib.uploads, kept outside the web root with owner-only permissions, within
the uploader's quota, audited."""

import contextlib
import contextvars
import hashlib
import os
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from minping.accounts.models import User
from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evidence.models import Evidence
from minping.lib.uploads import inspect

UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("evidence_written", default=None)


@contextlib.contextmanager
def atomic_with_files():
    """`transaction.atomic()` for an action that stores evidence files among other writes: when the block rolls
    back (a later file refused, a constraint broken), the files it wrote are removed from disk with their rows,
    so nothing of a refused post stays. Every action that calls `store_evidence` in a transaction of its own
    opens it with this."""
    written: list = []
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        _written.reset(token)


def store_evidence(*, actor, upload, region, purpose: str, public: bool = False) -> Evidence:
    """Check `upload` (a Django UploadedFile), store what may be kept of it and record it. ValidationError, in
    Chinese, for a file of the wrong type, too large, or beyond the uploader's quota; nothing is kept then."""
    ensure_region_in_scope(actor, region)
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB 的上限"})
    if upload.size == 0:
        raise ValidationError({"file": "文件是空的"})
    inspected = inspect(upload, upload.name)
    evidence = Evidence(
        id=uuid.uuid4(),
        owner=actor,
        region=region,
        purpose=purpose[:64],
        is_public=public,
        kind=inspected.kind,
        content_type=inspected.content_type,
        size=len(inspected.content),
        sha256=hashlib.sha256(inspected.content).hexdigest(),
        name=_stored_name(upload.name, inspected.extension),
    )
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=actor.pk).first()  # one upload at a time per account, for the quota
            used = Evidence.objects.filter(owner=actor).aggregate(total=Sum("size"))["total"] or 0
            if used + evidence.size > settings.EVIDENCE_QUOTA_BYTES:
                raise ValidationError(
                    {"file": f"您的存储空间（{settings.EVIDENCE_QUOTA_BYTES // (1024 * 1024)} MB）已满，请删除不需要的文件或联系管理员"}
                )
            evidence.save(force_insert=True)
            record_event(
                actor=actor,
                action="evidence.store",
                obj=evidence,
                data={"purpose": evidence.purpose, "kind": evidence.kind, "size": evidence.size, "sha256": evidence.sha256},
            )
            _write(evidence.path, inspected.content)
            if (written := _written.get()) is not None:
                written.append(evidence.path)
    except BaseException:
        evidence.path.unlink(missing_ok=True)  # a fresh name: if the file exists, this call wrote it
        raise
    return evidence


def _stored_name(name: str, extension: str) -> str:
    """The uploader's file name without path or control characters, ending in the extension of what it is."""
    stem = UNSAFE_NAME.sub("_", os.path.basename((name or "").replace("\\", "/"))).strip(" .") or "文件"
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{stem[:150]}.{extension}"


def _write(path, content: bytes) -> None:
    """Write a new file readable by this service's user alone, in folders only it can enter. Inside the
    transaction that records it: should the write fail, the row is not kept either."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
