"""Writes to the registry. Each checks the actor's scope and records an audit event in its transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.org.models import Cadre, Post, Region, new_path_segment

TREE_LOCK = 5_871_102  # the key of the PostgreSQL advisory lock that orders changes to the region tree


def _lock_tree(*, exclusive: bool) -> None:
    """A move rewrites the paths of a whole subtree, so it takes the tree alone; an insert, which copies its
    parent's path, shares it with other inserts. Held to the end of the transaction. (SQLite has one writer.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_xact_lock{'' if exclusive else '_shared'}(%s)", [TREE_LOCK])


def insert_region(*, name: str, level: str, parent: Region | None, code: str = "") -> Region:
    """Insert one region, retrying the (astronomically rare) path-segment collision. Runs in the caller's
    transaction, which records the audit event (`create_region` one per region, an import one for the load)."""
    _lock_tree(exclusive=False)
    if parent is not None:
        parent.refresh_from_db(fields=["path", "depth"])  # as it is now that no move can run
    for _attempt in range(5):
        path = (parent.path if parent else "") + new_path_segment()
        try:
            with transaction.atomic():
                return Region.objects.create(
                    name=name, level=level, code=code, parent=parent, path=path, depth=parent.depth + 1 if parent else 0
                )
        except IntegrityError:
            if Region.objects.filter(parent=parent, name=name).exists():
                raise ValidationError({"name": "同一上级下已有同名区域"}) from None
    raise RuntimeError("could not allocate a region path")


def create_region(*, actor, name: str, level: str, parent: Region | None, code: str = "") -> Region:
    if parent is None and not actor.is_system_admin:
        raise PermissionDenied("只有系统管理员可以创建顶级区域")
    if parent is not None:
        ensure_region_in_scope(actor, parent)
    elif Region.objects.roots().filter(name=name).exists():
        raise ValidationError({"name": "已有同名的顶级区域"})
    with transaction.atomic():
        region = insert_region(name=name, level=level, parent=parent, code=code)
        record_event(actor=actor, action="region.create", obj=region, data={"parent": parent and parent.pk})
    return region


def rename_region(*, actor, region: Region, name: str, code: str) -> Region:
    ensure_region_in_scope(actor, region)
    taken = ValidationError({"name": "同一上级下已有同名区域"})
    if Region.objects.filter(parent=region.parent, name=name).exclude(pk=region.pk).exists():
        raise taken
    with transaction.atomic():
        old = region.name
        region.name, region.code = name, code
        try:
            with transaction.atomic():
                region.save(update_fields=["name", "code"])
        except IntegrityError:  # the same name was given to a sibling meanwhile
            raise taken from None
        record_event(actor=actor, action="region.rename", obj=region, data={"from": old, "to": name})
    return region


def move_region(*, actor, region: Region, new_parent: Region) -> Region:
    """Re-hang a region and its whole subtree under `new_parent`: one UPDATE of the subtree's paths. Moves take
    turns, and each checks the tree as the previous one left it: two crossing moves cannot make a cycle."""
    with transaction.atomic():
        _lock_tree(exclusive=True)
        region, new_parent = Region.objects.get(pk=region.pk), Region.objects.get(pk=new_parent.pk)
        ensure_region_in_scope(actor, region)
        ensure_region_in_scope(actor, new_parent)
        if actor.region_id == region.pk:
            raise PermissionDenied("不能移动您自己的管辖区域")
        if new_parent.is_within(region):
            raise ValidationError({"parent": "不能把区域移动到它自己或它的下级区域之下"})
        if Region.objects.filter(parent=new_parent, name=region.name).exclude(pk=region.pk).exists():
            raise ValidationError({"parent": "目标上级下已有同名区域"})
        old_parent = region.parent
        old_path = region.path
        new_path = new_parent.path + old_path[-7:]
        depth_shift = new_parent.depth + 1 - region.depth
        Region.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
            depth=F("depth") + depth_shift,
        )
        Region.objects.filter(pk=region.pk).update(parent=new_parent)
        region.refresh_from_db()
        record_event(
            actor=actor,
            action="region.move",
            obj=region,
            data={"from": old_parent and old_parent.pk, "to": new_parent.pk},
        )
    return region


def update_household(*, actor, household, address: str) -> bool:
    """Change a household's address (what a visit found); True when something changed."""
    from minping.lib.identity import clean_text

    ensure_region_in_scope(actor, household.region)
    address = clean_text(address)
    if not address or len(address) > 200:
        raise ValidationError({"address": "地址不能为空，且不超过 200 字"})
    if address == household.address:
        return False
    with transaction.atomic():
        before = household.address
        type(household).objects.filter(pk=household.pk).update(address=address)
        household.address = address
        record_event(actor=actor, action="household.update", obj=household, data={"address": [before, address]})
    return True


def save_cadre(cadre: Cadre | None, *, digest: str, region_id: int, person: dict, posts: list[dict]) -> str:
    """A cadre of an import, created or brought up to the file's person and current posts (each a dict of
    unit_id or region_id, title, category, started_on); the cadre's current posts not in the file end today.
    "created", "updated" or "unchanged". Runs in the import's transaction, which records the audit event."""
    if cadre is None:
        cadre = Cadre.objects.create(id_digest=digest, region_id=region_id, **person)
        _sync_posts(cadre, posts)
        return "created"
    changed = False
    if cadre.region_id != region_id or any(getattr(cadre, k) != v for k, v in person.items()):
        for k, v in person.items():
            setattr(cadre, k, v)
        cadre.region_id = region_id
        cadre.save()
        changed = True
    changed |= _sync_posts(cadre, posts)
    return "updated" if changed else "unchanged"


def _sync_posts(cadre: Cadre, posts: list[dict]) -> bool:
    today = timezone.localdate()
    wanted = {(p["unit_id"], p["region_id"], p["title"]): p for p in posts}
    changed = False
    for post in cadre.posts.current():
        p = wanted.pop((post.unit_id, post.region_id, post.title), None)
        if p is None:
            post.ended_on = max(today, post.started_on)
            post.save(update_fields=["ended_on"])
            changed = True
        elif (post.category, post.started_on) != (p["category"], p["started_on"]):
            post.category, post.started_on = p["category"], p["started_on"]
            post.save(update_fields=["category", "started_on"])
            changed = True
    for p in wanted.values():
        Post.objects.create(cadre=cadre, **p)
        changed = True
    return changed


def set_region_level(region: Region, *, level: str, code: str) -> None:
    """An import's new level and code for an existing region (in the import's audited transaction)."""
    Region.objects.filter(pk=region.pk).update(level=level, code=code)
