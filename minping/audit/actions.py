import json

from django.db import transaction
from django.utils import timezone

from minping.audit.models import GENESIS, AuditEvent, AuditHead


def record_event(*, actor, action: str, obj=None, data: dict | None = None) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction of the change it records."""
    # Round-trip through JSON so the stored data hashes the same when read back.
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            at=timezone.now().replace(microsecond=0),
            actor=actor if actor is not None and actor.pk else None,
            actor_name=getattr(actor, "username", "") or "system",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            data=data,
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def verify_chain(batch: int = 5000) -> tuple[int, AuditEvent | None, str]:
    """Recompute the chain. Returns (events checked, first broken event or None, reason)."""
    prev, expected_seq, checked = GENESIS, 1, 0
    last = 0
    while True:
        events = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not events:
            break
        for event in events:
            if event.seq != expected_seq:
                return checked, event, f"entry #{expected_seq} is missing"
            if event.prev_hash != prev:
                return checked, event, "does not link to the previous entry"
            if event.compute_hash() != event.hash:
                return checked, event, "its contents do not match its hash"
            prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last = events[-1].seq
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev):
        return checked, None, f"the chain ends at #{checked} but the head records #{head.last_seq}"
    return checked, None, ""
