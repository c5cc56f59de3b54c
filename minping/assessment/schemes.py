"""A scheme's definition: what it may say, the check that refuses what cannot be computed, and the templates
from practice an organiser copies and edits.

A definition is a dict:

- `components`: [{key, label, kind, weight, ...}]; the weights sum to 1. Kinds (sources.py reads each):
  - `mass` (群众测评): `campaigns` (ids of published campaigns of the scheme's region), `figure` (score = 满意度,
    satisfaction_rate = 满意率, excellent_rate = 优秀率, competent_rate = 称职率);
  - `superior` (上级考评): `criteria` [{key, label, weight}] rated 0–100 by the scheme's named raters;
  - `commitments` (公开承诺践诺): the mean of the year's confirmed quarter scores; `award_points` adds bonus points
    for each confirmed quarterly award;
  - `dispatch` (部门办件): `rate`, one of grid's scorecard rates of the member's unit for the year;
  - `fieldwork` (走基层): `figure` of field work's cadre figures; `target` turns a count into a share of it;
  - `secondment` (以实干论英雄): visits made on the year's secondments (我当网格员) ÷ the visits expected;
  - `kpi` (自定指标): `target` and `direction` (higher or lower is better); actuals are entered per member.
  Each has a `conversion` to points 0–100 (engine.py): direct, best, table (with `table`: [[at least, points]]),
  z.
- `grades`: [{label, min}] from the best down; the last one's min is 0.
- `quota`: {grade, share} or null: at most share × (members graded) get that grade.
- `forced`: {grade, share} or null: the lowest share of the ranking gets at most that grade.
- `vetoes`: [{kind: "incompetent", component, share}] and/or [{kind: "finding"}]; `veto_grade` is what a veto gives.
- `bonus_cap`: the most that bonus items add (penalties have no cap).
- `missing`: "reweight" (a component without data drops out and the rest are reweighted) or "no_grade".
- `post_rule`: for cadres, which post counts: "year_end" (the post held on 31 December) or "longest".
- `categories`: which members: post categories (cadres) or unit kinds (departments); empty is all.
- `follow_ups`: [{kind, when: "bottom" (with n) | "grade" (with grade) | "veto"}].
- `roll`: how many of each category's ranking are on its 红榜 and on its 黑榜 (3 unless said).
"""

import copy

from django.core.exceptions import ValidationError

from minping.lib.text import checked_number
from minping.org.models import Post, Unit

KINDS = {
    "mass": "群众测评",
    "superior": "上级考评",
    "commitments": "公开承诺践诺",
    "dispatch": "部门办件",
    "fieldwork": "走基层",
    "secondment": "以实干论英雄",
    "kpi": "自定指标",
}
FIGURES = {"score": "满意度", "satisfaction_rate": "满意率", "excellent_rate": "优秀率", "competent_rate": "称职率"}
CONVERSIONS = {
    "direct": "原值（0–100）",
    "best": "本人 ÷ 最好 × 100",
    "table": "分档计分",
    "z": "标准分（75 + 10 × z）",
}
DISPATCH_RATES = ["及时签收率", "按时办结率", "结案率"]
FIELDWORK_FIGURES = {"cadence": "蹲点达标率", "entries": "工作日志", "visits": "走访", "covered": "覆盖联系点", "closed": "办结"}
MISSING = {"reweight": "其余部分按权重重新折算", "no_grade": "不定等次"}
POST_RULES = {"year_end": "年末所在岗位", "longest": "年内任职最长的岗位"}
FOLLOW_UP_KINDS = ["诫勉谈话", "调整", "一线锻炼", "提醒谈话"]
COHORT_KINDS = {"cadre": {"mass": "cadre"}, "unit": {"mass": "unit"}, "community": {"mass": "region"}}
ONLY_FOR = {"commitments": {"cadre", "unit"}, "dispatch": {"cadre", "unit"}, "fieldwork": {"cadre"}, "secondment": {"cadre"}}

DEFAULT_RULES = {"forced": None, "missing": "reweight", "post_rule": "year_end", "categories": []}


def _mass(key: str, label: str, weight: float, figure: str) -> dict:
    """A mass-evaluation part of a template, its campaigns to be chosen."""
    return {"key": key, "label": label, "kind": "mass", "weight": weight, "campaigns": [], "figure": figure, "conversion": "direct"}


def _grades(*pairs) -> list[dict]:
    """Grades from the best down, given as label, line, label, line, …, label (the last from 0)."""
    labels, lines = pairs[::2], [*pairs[1::2], 0]
    return [{"label": label, "min": line} for label, line in zip(labels, lines)]


def _rules(definition: dict) -> dict:
    """A template's definition: what it says, and the usual rules where it says nothing."""
    return {**DEFAULT_RULES, **definition}


TEMPLATES = {
    "community_double": {
        "name": "社区“双评”",
        "cohort": "community",
        "text": "吉州做法：群众测评（满意率、优秀率）加上级考评，评出示范、标准、普通社区。",
        "definition": _rules(
            {
                "components": [
                    _mass("satisfaction", "群众满意率", 0.4, "satisfaction_rate"),
                    _mass("excellent", "群众优秀率", 0.2, "excellent_rate"),
                    {
                        "key": "superior",
                        "label": "上级考评",
                        "kind": "superior",
                        "weight": 0.4,
                        "conversion": "direct",
                        "criteria": [
                            {"key": "service", "label": "社区服务", "weight": 0.4},
                            {"key": "order", "label": "治安环境", "weight": 0.3},
                            {"key": "party", "label": "党建工作", "weight": 0.3},
                        ],
                    },
                ],
                "grades": [{"label": "示范", "min": 90}, {"label": "标准", "min": 75}, {"label": "普通", "min": 0}],
                "quota": {"grade": "示范", "share": 0.2},
                "vetoes": [{"kind": "finding"}],
                "veto_grade": "普通",
                "bonus_cap": 3,
                "follow_ups": [{"kind": "提醒谈话", "when": "grade", "grade": "普通"}],
            }
        ),
    },
    "service_year": {
        "name": "“服务力”年度考核",
        "cohort": "cadre",
        "text": "温岭做法：四个季度的公开承诺得分和奖诺计入全年，加群众测评；末位诫勉谈话。",
        "definition": _rules(
            {
                "components": [
                    {
                        "key": "commitments",
                        "label": "公开承诺践诺",
                        "kind": "commitments",
                        "weight": 0.6,
                        "conversion": "direct",
                        "award_points": {"innovation": 2, "excellent": 1, "good": 0.5},
                    },
                    _mass("mass", "群众测评", 0.4, "score"),
                ],
                "grades": _grades("优秀", 90, "良好", 80, "合格", 60, "不合格"),
                "quota": {"grade": "优秀", "share": 0.15},
                "vetoes": [{"kind": "incompetent", "component": "mass", "share": 0.3333}, {"kind": "finding"}],
                "veto_grade": "不合格",
                "bonus_cap": 5,
                "follow_ups": [{"kind": "诫勉谈话", "when": "bottom", "n": 1}, {"kind": "调整", "when": "veto"}],
            }
        ),
    },
    "hard_work": {
        "name": "“以实干论英雄”考核",
        "cohort": "cadre",
        "text": "龙岗做法：下沉街道的任务完成和“我当网格员”的走访计入考核，加部门办件和群众测评。",
        "definition": _rules(
            {
                "components": [
                    {"key": "secondment", "label": "下沉任务完成", "kind": "secondment", "weight": 0.4, "conversion": "direct"},
                    {
                        "key": "dispatch",
                        "label": "所在部门按时办结率",
                        "kind": "dispatch",
                        "weight": 0.2,
                        "rate": "按时办结率",
                        "conversion": "direct",
                    },
                    _mass("mass", "群众测评", 0.4, "score"),
                ],
                "grades": _grades("优秀", 90, "良好", 80, "合格", 60, "不合格"),
                "quota": {"grade": "优秀", "share": 0.2},
                "vetoes": [{"kind": "finding"}],
                "veto_grade": "不合格",
                "bonus_cap": 5,
                "post_rule": "longest",
                "follow_ups": [{"kind": "一线锻炼", "when": "grade", "grade": "不合格"}],
            }
        ),
    },
    "department_year": {
        "name": "部门年度考核（基层考部门）",
        "cohort": "unit",
        "text": "群众和基层对部门的满意率，加部门办件的按时办结率、及时签收率和部门的公开承诺。",
        "definition": _rules(
            {
                "components": [
                    _mass("mass", "满意率", 0.4, "satisfaction_rate"),
                    {
                        "key": "on_time",
                        "label": "按时办结率",
                        "kind": "dispatch",
                        "weight": 0.3,
                        "rate": "按时办结率",
                        "conversion": "direct",
                    },
                    {
                        "key": "received",
                        "label": "及时签收率",
                        "kind": "dispatch",
                        "weight": 0.1,
                        "rate": "及时签收率",
                        "conversion": "direct",
                    },
                    {
                        "key": "commitments",
                        "label": "部门公开承诺",
                        "kind": "commitments",
                        "weight": 0.2,
                        "conversion": "direct",
                        "award_points": {},
                    },
                ],
                "grades": [
                    {"label": "优秀", "min": 90},
                    {"label": "良好", "min": 80},
                    {"label": "一般", "min": 60},
                    {"label": "较差", "min": 0},
                ],
                "quota": {"grade": "优秀", "share": 0.2},
                "vetoes": [{"kind": "finding"}],
                "veto_grade": "较差",
                "bonus_cap": 3,
                "follow_ups": [{"kind": "提醒谈话", "when": "bottom", "n": 1}],
            }
        ),
    },
    "secretary_year": {
        "name": "党组织书记“德能勤绩廉”年度考核",
        "cohort": "cadre",
        "text": "上级按德、能、勤、绩、廉评分，加群众测评和走基层；不称职票达三分之一的一票否决。",
        "definition": _rules(
            {
                "components": [
                    {
                        "key": "superior",
                        "label": "上级考评",
                        "kind": "superior",
                        "weight": 0.3,
                        "conversion": "direct",
                        "criteria": [
                            {"key": "de", "label": "德", "weight": 0.2},
                            {"key": "neng", "label": "能", "weight": 0.2},
                            {"key": "qin", "label": "勤", "weight": 0.2},
                            {"key": "ji", "label": "绩", "weight": 0.3},
                            {"key": "lian", "label": "廉", "weight": 0.1},
                        ],
                    },
                    _mass("mass", "群众测评", 0.5, "score"),
                    {
                        "key": "fieldwork",
                        "label": "走基层蹲点",
                        "kind": "fieldwork",
                        "weight": 0.2,
                        "figure": "cadence",
                        "conversion": "direct",
                    },
                ],
                "grades": [
                    {"label": "优秀", "min": 90},
                    {"label": "称职", "min": 75},
                    {"label": "基本称职", "min": 60},
                    {"label": "不称职", "min": 0},
                ],
                "quota": {"grade": "优秀", "share": 0.15},
                "vetoes": [{"kind": "incompetent", "component": "mass", "share": 0.3333}, {"kind": "finding"}],
                "veto_grade": "不称职",
                "bonus_cap": 5,
                "categories": ["secretary", "first_secretary"],
                "follow_ups": [{"kind": "诫勉谈话", "when": "bottom", "n": 1}, {"kind": "调整", "when": "veto"}],
            }
        ),
    },
}


def new_component(kind: str, key: str) -> dict:
    """A component of `kind` as the editor adds it, to be set up (weight 0 until given one)."""
    component = {"key": key, "label": KINDS[kind], "kind": kind, "weight": 0, "conversion": "direct"}
    extra = {
        "mass": {"campaigns": [], "figure": "score"},
        "superior": {"criteria": [{"key": "overall", "label": "总体评价", "weight": 1}]},
        "commitments": {"award_points": {"innovation": 2, "excellent": 1, "good": 0.5}},
        "dispatch": {"rate": "按时办结率"},
        "fieldwork": {"figure": "cadence"},
        "kpi": {"target": 100, "direction": "higher"},
    }
    return {**component, **extra.get(kind, {})}


def template_definition(key: str) -> tuple[dict, dict]:
    """(the template, a copy of its definition to edit)."""
    if key not in TEMPLATES:
        raise ValidationError({"template": "请选择一个考核模板"})
    return TEMPLATES[key], copy.deepcopy(TEMPLATES[key]["definition"])


def clean_definition(definition: dict, cohort: str, campaign_check=None) -> dict:
    """The definition as stored, or a ValidationError naming what is wrong. `campaign_check(ids)` refuses the
    campaigns a mass component may not read (outside the region, not published)."""
    components = definition.get("components") or []
    if not components:
        raise ValidationError({"components": "方案至少要有一个考核部分"})
    keys = set()
    for component in components:
        key, label = component.get("key", ""), component.get("label") or component.get("key", "")
        if not key or key in keys:
            raise ValidationError({"components": f"考核部分“{label}”的代号为空或重复"})
        keys.add(key)
        kind = component.get("kind")
        if kind not in KINDS:
            raise ValidationError({"components": f"考核部分“{label}”的类型不对"})
        if cohort not in ONLY_FOR.get(kind, {cohort}):
            raise ValidationError({"components": f"“{KINDS[kind]}”不能用于这类考核对象"})
        component["weight"] = checked_number(component.get("weight"), f"weight-{key}", f"“{label}”的权重", 0, 1)
        if component.get("conversion", "direct") not in CONVERSIONS:
            raise ValidationError({f"conversion-{key}": f"“{label}”的折算方法不对"})
        component.setdefault("conversion", "direct")
        if component["conversion"] == "table":
            table = component.get("table") or []
            try:
                table = sorted(([float(at), float(points)] for at, points in table), reverse=True)
            except (TypeError, ValueError):
                raise ValidationError({f"table-{key}": f"“{label}”的分档表应为“不低于 … 计 … 分”的数对"}) from None
            if not table:
                raise ValidationError({f"table-{key}": f"“{label}”按分档计分，但没有分档"})
            component["table"] = table
        if kind == "mass":
            if component.get("figure") not in FIGURES:
                raise ValidationError({f"figure-{key}": f"“{label}”取哪个测评指标？"})
            ids = [int(i) for i in component.get("campaigns") or []]
            if not ids and component["weight"] > 0:
                raise ValidationError({f"campaigns-{key}": f"“{label}”还没有选测评活动"})
            if campaign_check and ids:
                campaign_check(ids, label, component["figure"])
            component["campaigns"] = ids
        if kind == "superior":
            criteria = component.get("criteria") or []
            for criterion in criteria:
                criterion["weight"] = checked_number(
                    criterion.get("weight"), f"criteria-{key}", f"“{criterion.get('label', '')}”的权重", 0, 1
                )
            total = sum(c["weight"] for c in criteria)
            if not criteria or abs(total - 1) > 0.001:
                raise ValidationError({f"criteria-{key}": f"“{label}”各评分项的权重之和应为 1（现为 {total:g}）"})
        if kind == "dispatch" and component.get("rate") not in DISPATCH_RATES:
            raise ValidationError({f"rate-{key}": f"“{label}”取哪个办件比率？"})
        if kind == "fieldwork" and component.get("figure") not in FIELDWORK_FIGURES:
            raise ValidationError({f"figure-{key}": f"“{label}”取哪个走基层数字？"})
        if kind == "fieldwork" and component["figure"] != "cadence":
            component["target"] = checked_number(component.get("target"), f"target-{key}", f"“{label}”的目标", 1, 10**6)
        if kind == "kpi":
            component["target"] = checked_number(component.get("target"), f"target-{key}", f"“{label}”的目标值", 0.0001, 10**9)
            if component.get("direction", "higher") not in {"higher", "lower"}:
                raise ValidationError({f"direction-{key}": f"“{label}”是越高越好还是越低越好？"})
    total = sum(c["weight"] for c in components)
    if abs(total - 1) > 0.001:
        raise ValidationError({"weights": f"各考核部分的权重之和应为 1（现为 {total:g}）"})
    grades = definition.get("grades") or []
    labels = [g.get("label", "").strip() for g in grades]
    if len(grades) < 2 or "" in labels or len(set(labels)) != len(labels):
        raise ValidationError({"grades": "至少要有两个等次，名称不能为空或重复"})
    mins = [checked_number(g.get("min"), "grades", f"“{g['label']}”的分数线", 0, 200) for g in grades]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins) or mins[-1] != 0:
        raise ValidationError({"grades": "等次的分数线应从高到低排列，最后一个等次从 0 分起"})
    for g, low in zip(grades, mins):
        g["label"], g["min"] = g["label"].strip(), low
    for name, what in (("quota", "名额"), ("forced", "强制分布")):
        rule = definition.get(name)
        if rule:
            if rule.get("grade") not in labels:
                raise ValidationError({name: f"{what}指向的等次不存在"})
            rule["share"] = checked_number(rule.get("share"), name, f"{what}比例", 0.01, 1)
    if definition.get("forced") and definition["forced"]["grade"] == labels[0]:
        raise ValidationError({"forced": "强制分布应指向较低的等次"})
    if definition.get("veto_grade") not in labels:
        raise ValidationError({"veto_grade": "一票否决时给哪个等次？"})
    for veto in definition.get("vetoes") or []:
        if veto.get("kind") == "incompetent":
            mass = next((c for c in components if c["key"] == veto.get("component")), None)
            if mass is None or mass["kind"] != "mass":
                raise ValidationError({"vetoes": "不称职票否决要指向一个群众测评部分"})
            veto["share"] = checked_number(veto.get("share"), "vetoes", "不称职票比例", 0.01, 1)
        elif veto.get("kind") != "finding":
            raise ValidationError({"vetoes": "一票否决的规则不对"})
    definition["bonus_cap"] = checked_number(definition.get("bonus_cap", 0), "bonus_cap", "加分上限", 0, 100)
    if definition.get("missing") not in MISSING:
        raise ValidationError({"missing": "数据不足时怎么办？"})
    if definition.get("post_rule") not in POST_RULES:
        raise ValidationError({"post_rule": "年内换过岗位的，按哪个岗位参加考核？"})
    allowed = {"cadre": set(Post.Category.values), "unit": set(Unit.Kind.values)}.get(cohort, set())
    if any(c not in allowed for c in definition.get("categories") or []):
        raise ValidationError({"categories": "参评范围里有不认识的类别"})
    if "roll" in definition:
        definition["roll"] = int(checked_number(definition["roll"], "roll", "红榜、黑榜的人数", 1, 100))
    for rule in definition.get("follow_ups") or []:
        if rule.get("kind") not in FOLLOW_UP_KINDS or rule.get("when") not in {"bottom", "grade", "veto"}:
            raise ValidationError({"follow_ups": "跟进规则不对"})
        if rule["when"] == "grade" and rule.get("grade") not in labels:
            raise ValidationError({"follow_ups": "跟进规则指向的等次不存在"})
        if rule["when"] == "bottom":
            rule["n"] = int(checked_number(rule.get("n"), "follow_ups", "末位人数", 1, 1000))
    return definition
