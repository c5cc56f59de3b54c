"""The assessment's writes as the pages post them: one form per write, and the scheme editor's post read into a
definition (which actions.save_definition checks whole)."""

import copy

from django import forms
from django.core.exceptions import ValidationError

from minping.assessment import actions, schemes
from minping.lib.dates import typed_date
from minping.lib.formdata import posted_id
from minping.lib.forms import StepForm, posted, typed


class NewSchemeForm(StepForm):
    action = actions.create_scheme
    template = posted()
    year = typed()
    name = typed()


class RateForm(StepForm):
    """A rater's sheet: the member and one field per criterion (`score-<key>`), passed as they came."""

    action = actions.rate
    member = posted()

    def values(self) -> dict:
        data = super().values()
        data["scores"] = {key.removeprefix("score-"): value for key, value in self.data.items() if key.startswith("score-")}
        return data


class AdjustmentForm(StepForm):
    action = actions.add_adjustment
    member = posted()
    points = typed()
    reason = typed()
    evidence = typed()
    veto = forms.BooleanField(required=False)
    file = forms.FileField(required=False)
    defaults = {"points": "0"}


class MeasureForm(StepForm):
    action = actions.set_measure
    component = posted()
    member = posted()
    actual = typed()
    note = typed()


class OverrideForm(StepForm):
    action = actions.override
    grade = typed()
    reason = typed()


class RunForm(StepForm):
    action = actions.run_scheme
    reason = typed()


class AppealForm(StepForm):
    action = actions.file_appeal
    text = typed()


class DecideForm(StepForm):
    action = actions.decide_appeal
    decision = typed()
    changed = forms.BooleanField(required=False)


class FollowUpForm(StepForm):
    action = actions.schedule_follow_up
    due_on = typed()
    done_on = typed()
    note = typed()

    def clean(self):
        data = super().clean()
        for field, what in (("due_on", "安排日期"), ("done_on", "完成日期")):
            data[field] = typed_date(data[field], field, what) if (data.get(field) or "").strip() else None
        return data


def definition_from_post(definition: dict, post) -> dict:
    """The definition with what the editor posted: each component's weight, conversion and settings (or its
    removal), a component added, the grades, quota, vetoes and rules. What the post does not name stays."""
    found = copy.deepcopy(definition)
    kept = []
    for component in found["components"]:
        key = component["key"]
        if post.get(f"remove-{key}"):
            continue
        for field in ("label", "weight", "conversion", "figure", "rate", "target", "direction"):
            if f"{field}-{key}" in post:
                component[field] = post.get(f"{field}-{key}", "").strip()
        if f"campaigns-{key}" in post or component["kind"] == "mass":
            component["campaigns"] = [i for i in (posted_id(v) for v in post.getlist(f"campaigns-{key}")) if i]
        if f"table-{key}" in post:
            component["table"] = _table(post.get(f"table-{key}", ""), key)
        for criterion in component.get("criteria", []):
            name = f"criterion-{key}-{criterion['key']}"
            if name in post:
                criterion["weight"] = post.get(name, "").strip()
        kept.append(component)
    found["components"] = kept
    kind = post.get("add_kind", "")
    if kind:
        if kind not in schemes.KINDS:
            raise ValidationError({"add_kind": "要添加的考核部分类型不对"})
        key = f"{kind}{sum(1 for c in kept if c['kind'] == kind) + 1}"
        while any(c["key"] == key for c in kept):
            key += "x"
        kept.append(schemes.new_component(kind, key))
    grades = []
    for index in range(len(found["grades"]) + 1):
        label = post.get(f"grade-{index}", None)
        if label is None:
            if index < len(found["grades"]):
                grades.append(found["grades"][index])
            continue
        if label.strip():
            grades.append({"label": label.strip(), "min": post.get(f"grade-min-{index}", "").strip()})
    found["grades"] = grades
    for name in ("quota", "forced"):
        if f"{name}-grade" in post:
            grade = post.get(f"{name}-grade", "")
            found[name] = {"grade": grade, "share": post.get(f"{name}-share", "").strip()} if grade else None
    for field in ("veto_grade", "bonus_cap", "missing", "post_rule"):
        if field in post:
            found[field] = post.get(field, "").strip()
    if "incompetent-share" in post:
        mass = next((c["key"] for c in kept if c["kind"] == "mass"), None)
        vetoes = [v for v in found.get("vetoes") or [] if v["kind"] != "incompetent"]
        share = post.get("incompetent-share", "").strip()
        if share:
            vetoes.insert(0, {"kind": "incompetent", "component": mass, "share": share})
        found["vetoes"] = vetoes
    if "categories-posted" in post:
        found["categories"] = post.getlist("categories")
    return found


def _table(text: str, key: str) -> list:
    """A point table typed as lines "at least points" (e.g. "95 100")."""
    rows = []
    for line in text.replace("，", ",").splitlines():
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValidationError({f"table-{key}": f"分档表的每行应为“不低于 分值”两个数，如“95 100”：{line.strip()}"})
        rows.append(parts)
    return rows
