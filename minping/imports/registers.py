"""The registers that can be imported and exported: their Chinese columns, row rules and loaders.

A row is cleaned into the staged form (`stage` columns) during the preview; the commit loads the staged
file without re-reading the upload. Large registers load with one set-based upsert (see `upsert`).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from minping.accounts.scoping import scope
from minping.imports.stage import Stage, Upsert
from minping.lib.dates import parse_date
from minping.lib.identity import (
    clean_code,
    clean_text,
    credit_check_char,
    id_check_char,
    id_digest,
    mask_id,
    mask_phone,
    parse_credit_code,
    parse_id_number,
    parse_phone,
)
from minping.org import actions as registry
from minping.org.lookup import RegionIndex
from minping.org.models import (
    Cadre,
    Enterprise,
    Household,
    Post,
    Region,
    Resident,
    Unit,
)


class RowProblem(ValueError):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


@dataclass
class Column:
    header: str
    key: str
    required: bool = True
    hint: str = ""
    choices: dict[str, str] | None = None  # label -> stored value

    def shown(self, text: str) -> str:
        """The cell as a preview may keep and show it: ID and phone numbers masked."""
        mask = MASKS.get(self.key)
        return mask(text) if mask and len(text) > 4 else text

    def parse(self, raw) -> str:
        text = clean_text(raw)
        if self.choices is None:
            return text
        if text in self.choices:
            return self.choices[text]
        if text in self.choices.values():
            return text
        raise ValueError("应为以下之一：" + "、".join(self.choices))


MASKS = {"id_number": mask_id, "phone": mask_phone}


def text_limit(column: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise RowProblem(column, f"长度超过{limit}个字")
    return value


@dataclass
class Context:
    actor: Any
    scope: Region | None  # None: the whole tree (system administrator)
    _regions: RegionIndex | None = None
    cache: dict = field(default_factory=dict)

    @property
    def regions(self) -> RegionIndex:
        return self.load_regions()

    def load_regions(self) -> RegionIndex:
        if self._regions is None:
            self._regions = RegionIndex(self.scope)
        return self._regions

    @property
    def prefix(self) -> str:
        """LIKE pattern of the actor's subtree ('%' for the whole tree)."""
        return (self.scope.path if self.scope else "") + "%"

    def region(self, column: str, raw: str) -> tuple[int, str]:
        memo = self.cache.setdefault("regions", {})
        found = memo.get(raw)
        if found is None:
            found = memo[raw] = self.regions.resolve(raw)
        if found is None or found[0] is None:
            raise RowProblem(column, f"区域“{raw}”不存在或不在您的管辖范围内")
        return found


class Register:
    key: str
    label: str
    model: type
    columns: list[Column]
    stage: list[tuple[str, str]]
    key_columns: tuple[str, ...]  # staged columns forming the natural key
    key_header: str

    def clean(self, values: dict[str, str], ctx: Context) -> dict:
        raise NotImplementedError

    def prepare(self, ctx: Context) -> None:
        """Load what `clean` looks up, before rows stream into the stage (no query may run meanwhile)."""
        ctx.load_regions()

    def set_checks(self, ctx: Context) -> list["SetCheck"]:
        """Problems only visible against the database, found with one query each over the staged rows."""
        return []

    def load(self, stage: Stage, ctx: Context) -> dict:
        """Write the staged rows; runs inside the commit's transaction."""
        return self.upsert.run(stage, scope=ctx.scope)

    def example(self, ctx: Context) -> dict[str, str]:
        raise NotImplementedError

    def export_queryset(self, ctx: Context):
        return scope(self.model.objects.all(), ctx.actor)

    def export_row(self, obj, ctx: Context) -> list:
        raise NotImplementedError


@dataclass
class SetCheck:
    """A query over the stage `{stage}` returning (line, detail) of offending rows; `reason` may use {detail}."""

    column: str
    reason: str
    sql: str
    params: list


# Said of a row whose key belongs to a record outside the actor's subtree, without saying so: an office may not
# learn from an import what is registered beyond its reach.
OUT_OF_REACH = "此行不能由您导入，请联系区级管理员核实"


def held_outside(ctx: Context, table: str, match: str, column: str) -> list[SetCheck]:
    """Rows whose key already belongs to a record outside the actor's subtree: an update would reach outside it."""
    if ctx.scope is None:
        return []
    sql = f"SELECT s.line, '' FROM {{stage}} s JOIN {table} t ON {match} JOIN org_region r ON r.id = t.region_id WHERE r.path NOT LIKE %s"
    return [SetCheck(column, OUT_OF_REACH, sql, [ctx.prefix])]


def _person(values: dict, ctx: Context) -> dict:
    try:
        number, gender, birth_year = parse_id_number(values["id_number"])
    except ValueError as exc:
        raise RowProblem("身份证号", str(exc)) from None
    phone = ""
    if values.get("phone"):
        try:
            phone = parse_phone(values["phone"])
        except ValueError as exc:
            raise RowProblem("手机号", str(exc)) from None
    return {
        "name": text_limit("姓名", values["name"], 50),
        "id_digest": id_digest(number),
        "id_masked": mask_id(number),
        "gender": gender,
        "birth_year": birth_year,
        "phone": phone,
    }


EXAMPLE_ID = "11010119900307451" + id_check_char("11010119900307451")
EXAMPLE_CREDIT_CODE = "91330212MA2A8B3C7" + credit_check_char("91330212MA2A8B3C7")


class ResidentRegister(Register):
    key, label, model = "residents", "居民", Resident
    key_header = "身份证号"
    columns = [
        Column("姓名", "name"),
        Column("身份证号", "id_number", hint="18位，末位可为X；系统只保存脱敏形式"),
        Column("手机号", "phone", required=False),
        Column("住址", "address", required=False),
        Column("所属区域", "region", hint="区域路径，如 某区/某街道/某社区/第1网格"),
        Column("户编号", "household", required=False, hint="须已在“户”名册中登记"),
    ]
    stage = [
        ("name", "text"),
        ("id_digest", "key"),
        ("id_masked", "text"),
        ("gender", "text"),
        ("birth_year", "integer"),
        ("phone", "text"),
        ("address", "text"),
        ("region_id", "bigint"),
        ("household_code", "text"),
    ]
    key_columns = ("id_digest",)
    upsert = Upsert(
        table="org_resident",
        insert={
            "name": "s.name",
            "id_digest": "s.id_digest",
            "id_masked": "s.id_masked",
            "gender": "s.gender",
            "birth_year": "s.birth_year",
            "phone": "s.phone",
            "address": "s.address",
            "region_id": "s.region_id",
            "household_id": "h.id",
        },
        joins="LEFT JOIN org_household h ON h.code = s.household_code",
        conflict=["id_digest"],
        match="s.id_digest = t.id_digest",
    )

    def clean(self, values, ctx):
        staged = _person(values, ctx)
        staged["address"] = text_limit("住址", values.get("address", ""), 200)
        staged["region_id"] = ctx.region("所属区域", values["region"])[0]
        staged["household_code"] = clean_code(values.get("household", ""))
        return staged

    def set_checks(self, ctx):
        unknown_household = SetCheck(
            "户编号",
            "户编号“{detail}”未在您管辖范围内登记",
            "SELECT s.line, s.household_code FROM {stage} s WHERE s.household_code <> '' AND NOT EXISTS ("
            "SELECT 1 FROM org_household h JOIN org_region r ON r.id = h.region_id "
            "WHERE h.code = s.household_code AND r.path LIKE %s)",
            [ctx.prefix],
        )
        return [*held_outside(ctx, "org_resident", self.upsert.match, "身份证号"), unknown_household]

    def example(self, ctx):
        return {
            "name": "张三",
            "id_number": EXAMPLE_ID,
            "phone": "13800138000",
            "address": "幸福路1号",
            "region": ctx.regions.example(),
            "household": "",
        }

    def export_queryset(self, ctx):
        return super().export_queryset(ctx).select_related("region", "household")

    def export_row(self, obj, ctx):
        return [
            obj.name,
            obj.id_masked,
            mask_phone(obj.phone),
            obj.address,
            ctx.regions.name_of(obj.region_id),
            obj.household.code if obj.household else "",
        ]


class HouseholdRegister(Register):
    key, label, model = "households", "户", Household
    key_header = "户编号"
    columns = [
        Column("户编号", "code"),
        Column("住址", "address"),
        Column("所属区域", "region", hint="区域路径，如 某区/某街道/某社区/第1网格"),
    ]
    stage = [("code", "text"), ("address", "text"), ("region_id", "bigint")]
    key_columns = ("code",)
    upsert = Upsert(
        table="org_household",
        insert={"code": "s.code", "address": "s.address", "region_id": "s.region_id"},
        conflict=["code"],
        match="s.code = t.code",
    )

    def clean(self, values, ctx):
        return {
            "code": text_limit("户编号", clean_code(values["code"]), 40),
            "address": text_limit("住址", values["address"], 200),
            "region_id": ctx.region("所属区域", values["region"])[0],
        }

    def set_checks(self, ctx):
        return held_outside(ctx, "org_household", self.upsert.match, "户编号")

    def example(self, ctx):
        return {"code": "H0001", "address": "幸福路1号", "region": ctx.regions.example()}

    def export_row(self, obj, ctx):
        return [obj.code, obj.address, ctx.regions.name_of(obj.region_id)]


class EnterpriseRegister(Register):
    key, label, model = "enterprises", "企业", Enterprise
    key_header = "统一社会信用代码"
    columns = [
        Column("企业名称", "name"),
        Column("统一社会信用代码", "credit_code", hint="18位"),
        Column("所属区域", "region"),
        Column("联系电话", "phone", required=False),
    ]
    stage = [("name", "text"), ("credit_code", "text"), ("region_id", "bigint"), ("contact_phone", "text")]
    key_columns = ("credit_code",)
    upsert = Upsert(
        table="org_enterprise",
        insert={"name": "s.name", "credit_code": "s.credit_code", "region_id": "s.region_id", "contact_phone": "s.contact_phone"},
        conflict=["credit_code"],
        match="s.credit_code = t.credit_code",
    )

    def clean(self, values, ctx):
        try:
            code = parse_credit_code(values["credit_code"])
        except ValueError as exc:
            raise RowProblem("统一社会信用代码", str(exc)) from None
        phone = ""
        if values.get("phone"):
            try:
                phone = parse_phone(values["phone"])
            except ValueError as exc:
                raise RowProblem("联系电话", str(exc)) from None
        return {
            "name": text_limit("企业名称", values["name"], 200),
            "credit_code": code,
            "region_id": ctx.region("所属区域", values["region"])[0],
            "contact_phone": phone,
        }

    def set_checks(self, ctx):
        return held_outside(ctx, "org_enterprise", self.upsert.match, "统一社会信用代码")

    def example(self, ctx):
        return {"name": "某某科技有限公司", "credit_code": EXAMPLE_CREDIT_CODE, "region": ctx.regions.example(), "phone": "0574-87654321"}

    def export_row(self, obj, ctx):
        return [obj.name, obj.credit_code, ctx.regions.name_of(obj.region_id), mask_phone(obj.contact_phone)]


UNIT_KINDS = {str(label): value for value, label in [("department", "部门"), ("station", "站所"), ("resident_unit", "驻区单位")]}


class UnitRegister(Register):
    key, label, model = "units", "单位", Unit
    key_header = "单位名称"
    columns = [
        Column("单位名称", "name"),
        Column("类型", "kind", choices=UNIT_KINDS),
        Column("所属区域", "region"),
        Column("联系电话", "phone", required=False),
    ]
    stage = [("name", "text"), ("kind", "text"), ("region_id", "bigint"), ("phone", "text")]
    key_columns = ("region_id", "name")
    upsert = Upsert(
        table="org_unit",
        insert={"name": "s.name", "kind": "s.kind", "region_id": "s.region_id", "phone": "s.phone"},
        conflict=["region_id", "name"],
        match="s.region_id = t.region_id AND s.name = t.name",
    )

    def clean(self, values, ctx):
        phone = ""
        if values.get("phone"):
            try:
                phone = parse_phone(values["phone"])
            except ValueError as exc:
                raise RowProblem("联系电话", str(exc)) from None
        return {
            "name": text_limit("单位名称", values["name"], 200),
            "kind": values["kind"],
            "region_id": ctx.region("所属区域", values["region"])[0],
            "phone": phone,
        }

    def example(self, ctx):
        return {"name": "综合治理办公室", "kind": "部门", "region": ctx.regions.example(), "phone": ""}

    def export_row(self, obj, ctx):
        return [obj.name, obj.get_kind_display(), ctx.regions.name_of(obj.region_id), obj.phone]


POST_CATEGORIES = {
    str(label): value
    for value, label in [
        ("first_secretary", "第一书记"),
        ("secretary", "书记"),
        ("director", "主任"),
        ("section_chief", "科室长"),
        ("village_based", "驻村干部"),
        ("graduate_official", "选聘生"),
        ("member", "委员"),
        ("other", "其他"),
    ]
}


class CadreRegister(Register):
    """One row per current post. A cadre's current posts not in the file are ended on the import date."""

    key, label, model = "cadres", "干部", Cadre
    key_header = "身份证号、任职单位或区域、职务"
    columns = [
        Column("姓名", "name"),
        Column("身份证号", "id_number"),
        Column("手机号", "phone", required=False),
        Column("所属区域", "region", hint="管理该干部档案的区域"),
        Column("任职单位", "unit", required=False, hint="在所属区域登记的单位名称；空则任职于所属区域本身"),
        Column("职务", "title", hint="如 社区党委书记"),
        Column("职务类别", "category", choices=POST_CATEGORIES),
        Column("任职日期", "started_on", hint="如 2024-03-05"),
    ]
    stage = [
        ("name", "text"),
        ("id_digest", "key"),
        ("id_masked", "text"),
        ("gender", "text"),
        ("birth_year", "integer"),
        ("phone", "text"),
        ("region_id", "bigint"),
        ("unit_id", "bigint"),
        ("title", "text"),
        ("category", "text"),
        ("started_on", "text"),
    ]
    key_columns = ("id_digest", "unit_id", "region_id", "title")

    def _units(self, ctx) -> dict:
        if "units" not in ctx.cache:
            units = scope(Unit.objects.all(), ctx.actor).values_list("region_id", "name", "pk")
            ctx.cache["units"] = {(region, name): pk for region, name, pk in units}
        return ctx.cache["units"]

    def clean(self, values, ctx):
        staged = _person(values, ctx)
        region_id = ctx.region("所属区域", values["region"])[0]
        unit_id = ""
        if values.get("unit"):
            unit_id = self._units(ctx).get((region_id, values["unit"]))
            if unit_id is None:
                raise RowProblem("任职单位", f"单位“{values['unit']}”未在所属区域登记")
        try:
            started = parse_date(values["started_on"])
        except ValueError as exc:
            raise RowProblem("任职日期", str(exc)) from None
        if started > timezone.localdate():
            raise RowProblem("任职日期", "任职日期不能晚于今天")
        staged.update(
            region_id=region_id,
            unit_id=unit_id,
            title=text_limit("职务", values["title"], 100),
            category=values["category"],
            started_on=started.isoformat(),
        )
        return staged

    def prepare(self, ctx):
        super().prepare(ctx)
        self._units(ctx)

    def set_checks(self, ctx):
        return held_outside(ctx, "org_cadre", "s.id_digest = t.id_digest", "身份证号")

    def load(self, stage, ctx):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        by_cadre: dict[str, list[dict]] = {}
        for staged in stage.rows():
            by_cadre.setdefault(staged["id_digest"], []).append(staged)
        existing = {c.id_digest: c for c in Cadre.objects.filter(id_digest__in=list(by_cadre))}
        for digest, rows in by_cadre.items():
            person = {k: rows[0][k] for k in ("name", "id_masked", "gender", "birth_year", "phone")}
            person["birth_year"] = int(person["birth_year"])
            posts = [
                {
                    "unit_id": int(p["unit_id"]) if p["unit_id"] else None,
                    "region_id": None if p["unit_id"] else int(p["region_id"]),
                    "title": p["title"],
                    "category": p["category"],
                    "started_on": dt.date.fromisoformat(p["started_on"]),
                }
                for p in rows
            ]
            outcome = registry.save_cadre(
                existing.get(digest), digest=digest, region_id=int(rows[0]["region_id"]), person=person, posts=posts
            )
            counts[outcome] += 1
        return counts

    def example(self, ctx):
        return {
            "name": "李四",
            "id_number": EXAMPLE_ID,
            "phone": "13900139000",
            "region": ctx.regions.example(),
            "unit": "",
            "title": "社区党委书记",
            "category": "书记",
            "started_on": "2024-03-05",
        }

    def export_queryset(self, ctx):
        posts = Post.objects.current().select_related("cadre", "unit")
        return posts.within(ctx.scope) if ctx.scope else posts

    def export_row(self, post, ctx):
        cadre = post.cadre
        return [
            cadre.name,
            cadre.id_masked,
            mask_phone(cadre.phone),
            ctx.regions.name_of(cadre.region_id),
            post.unit.name if post.unit else "",
            post.title,
            post.get_category_display(),
            post.started_on.isoformat(),
        ]


REGION_LEVELS = {
    str(label): value
    for value, label in [
        ("province", "省"),
        ("city", "市"),
        ("district", "区/县"),
        ("street", "街道/乡镇"),
        ("community", "社区/村"),
        ("grid", "网格"),
    ]
}


class RegionRegister(Register):
    """Rows name a region by its full path; the parent must exist or come from the same file."""

    key, label, model = "regions", "区域", Region
    key_header = "区域路径"
    columns = [
        Column("区域路径", "path", hint="从上到下用 / 分隔，如 某区/某街道/某社区"),
        Column("层级", "level", choices=REGION_LEVELS),
        Column("区划代码", "code", required=False),
    ]
    stage = [("name_path", "text"), ("level", "text"), ("code", "text")]
    key_columns = ("name_path",)

    def clean(self, values, ctx):
        name_path = RegionIndex.normalise(values["path"])
        if any(len(part) > 100 for part in name_path.split("/")):
            raise RowProblem("区域路径", "区域名称超过100个字")
        full = ctx.regions.canonical(name_path)
        if full is None:
            parent, _sep, name = name_path.rpartition("/")
            if not parent and ctx.scope is not None:
                raise RowProblem("区域路径", "只有系统管理员可以创建顶级区域")
            parent_full = ctx.regions.canonical(parent) if parent else ""
            if parent_full is None:
                raise RowProblem("区域路径", f"上级区域“{parent}”不存在或不在您的管辖范围内，也未在本文件前面的行中出现")
            full = f"{parent_full}/{name}" if parent_full else name
            ctx.regions.by_name[full] = (None, "")  # later rows may hang under it
        return {"name_path": full, "level": values["level"], "code": clean_code(values.get("code", ""))}

    def load(self, stage, ctx):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        index = RegionIndex(ctx.scope)
        for staged in stage.rows():
            found = index.by_name.get(staged["name_path"])
            if found:
                region = Region.objects.get(pk=found[0])
                if (region.level, region.code) != (staged["level"], staged["code"]):
                    registry.set_region_level(region, level=staged["level"], code=staged["code"])
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
                continue
            parent_path, _sep, name = staged["name_path"].rpartition("/")
            parent = Region.objects.get(pk=index.by_name[parent_path][0]) if parent_path else None
            region = registry.insert_region(name=name, level=staged["level"], parent=parent, code=staged["code"])
            index.by_name[staged["name_path"]] = (region.pk, region.path)
            counts["created"] += 1
        return counts

    def example(self, ctx):
        return {"path": ctx.regions.example() + "/第1网格", "level": "网格", "code": ""}

    def export_queryset(self, ctx):
        return super().export_queryset(ctx).order_by("path")

    def export_row(self, region, ctx):
        return [ctx.regions.name_of(region.pk), region.get_level_display(), region.code]


REGISTERS: dict[str, Register] = {
    r.key: r for r in [RegionRegister(), UnitRegister(), CadreRegister(), EnterpriseRegister(), HouseholdRegister(), ResidentRegister()]
}
