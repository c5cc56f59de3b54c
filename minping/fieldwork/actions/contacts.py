"""Contact points (五个一): added and ended."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.fieldwork import kinds
from minping.fieldwork.actions.common import ensure_supervises
from minping.fieldwork.models import (
    Contact,
    ContactKind,
)
from minping.lib.text import checked_text
from minping.org.models import Cadre, Enterprise, Household, Region

SOURCES = {
    ContactKind.Source.COMMUNITY: Region,
    ContactKind.Source.ENTERPRISE: Enterprise,
    ContactKind.Source.CADRE: Cadre,
    ContactKind.Source.HOUSEHOLD: Household,
}
FIELDS = {
    ContactKind.Source.COMMUNITY: "community",
    ContactKind.Source.ENTERPRISE: "enterprise",
    ContactKind.Source.CADRE: "official",
    ContactKind.Source.HOUSEHOLD: "household",
}


def add_contact(
    *,
    actor,
    cadre: Cadre,
    kind: ContactKind,
    record=None,
    name: str = "",
    note: str = "",
    region: Region | None = None,
    starts_on: dt.date | None = None,
) -> Contact:
    """Pair `cadre` with a contact of `kind`: the registry record the kind names (a community, an enterprise, an
    official, a household), or, for a kind of people the registry does not hold (a talent), a person named here
    living in `region`."""
    ensure_supervises(actor, cadre)
    note = checked_text(note, "note", 200, "备注", required=False)
    source = kind.source
    if source == ContactKind.Source.PERSON:
        name = checked_text(name, "name", 100, "联系人姓名")
        region = region or cadre.region
    else:
        if not isinstance(record, SOURCES[source]) or (
            source == ContactKind.Source.COMMUNITY and record.level not in ("community", "grid")
        ):
            raise ValidationError({"record": f"请从名册中选择{kind.name}"})
        if source == ContactKind.Source.CADRE and record.pk == cadre.pk:
            raise ValidationError({"record": "不能把干部本人设为联系对象"})
        region = record if source == ContactKind.Source.COMMUNITY else record.region
        name = record.code if source == ContactKind.Source.HOUSEHOLD else record.name
    ensure_region_in_scope(actor, region)
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic():
        current = Contact.objects.current(starts_on).filter(cadre=cadre, kind=kind)
        if source == ContactKind.Source.PERSON:
            current = current.filter(name=name)
        else:
            current = current.filter(**{FIELDS[source]: record})
        if current.exists():
            raise ValidationError({"record": f"{cadre.name}已联系{name}"})
        contact = Contact.objects.create(
            cadre=cadre,
            kind=kind,
            region=region,
            name=name,
            note=note,
            starts_on=starts_on,
            created_by=actor,
            **({FIELDS[source]: record} if source in FIELDS else {}),
        )
        record_event(actor=actor, action="fieldwork.contact.add", obj=contact, data={"cadre": cadre.pk, "kind": kind.code, "name": name})
    return contact


def end_contact(*, actor, contact: Contact, ends_on: dt.date | None = None) -> Contact:
    ensure_supervises(actor, contact.cadre)
    ends_on = ends_on or timezone.localdate()
    if ends_on < contact.starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    with transaction.atomic():
        contact.ends_on = ends_on
        contact.save(update_fields=["ends_on"])
        record_event(actor=actor, action="fieldwork.contact.end", obj=contact, data={"ends_on": ends_on.isoformat()})
    return contact


def install_contact_kinds(ContactKind) -> None:
    """Create the kinds that are missing (`ContactKind` is the model, or a migration's historical model)."""
    for position, (code, name, source) in enumerate(kinds.KINDS):
        ContactKind.objects.get_or_create(code=code, defaults={"name": name, "source": source, "position": position})
