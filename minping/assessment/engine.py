"""The computation of a run, pure: a scheme's definition and the inputs snapshotted from the records give every
member's points per component, score, rank, proposed grade and follow-ups. Rerunning it on a run's stored
definition and inputs gives the stored results exactly (`recompute`).

Points per component, from the component's value (METHOD.md says the same with an example):

- direct: the value, already on a 0–100 scale (a rate × 100, a 满意度, a quarter score);
- best: value ÷ the best value in the cohort × 100;
- table: the points of the first row of the table whose "at least" the value reaches (0 below the last row);
- z: 75 + 10 × (value − the cohort's mean) ÷ its standard deviation, kept within 0–100 (75 when all are equal).

A component without a value (数据不足: a figure shown as "<5", a campaign below quorum, nothing recorded) is never
scored 0. Under "reweight" the score is Σ weight × points ÷ Σ weight over the components with a value; under
"no_grade" the member gets no score and no grade. Bonus items add at most `bonus_cap`; penalties are not capped.

    score = round(Σ w × points ÷ Σ w + min(bonus, cap) − penalties, 2)

Ranks are competition ranks within a category (ties share a rank). The grade is the first whose line the score
reaches; a quota then keeps at most floor(share × graded) members in its grade, down the ranking of the whole
cohort; members tied across the quota's last place all stay below it and the run notes it, for the organiser to
decide. A forced distribution puts the lowest ceil(share × graded) at most in its grade. A veto (不称职票 at or
above the share, a finding with veto) gives the veto grade, whatever the score.
"""

import math

from minping.lib.stats import competition_ranks

NO_DATA = "数据不足"


def points_of(component: dict, value: float, cohort_values: list[float]) -> float:
    conversion = component.get("conversion", "direct")
    if conversion == "best":
        best = max(cohort_values)
        return value / best * 100 if best > 0 else 0.0
    if conversion == "table":
        return next((points for at, points in component["table"] if value >= at), 0.0)
    if conversion == "z":
        mean = sum(cohort_values) / len(cohort_values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in cohort_values) / len(cohort_values))
        return 75.0 if sd == 0 else min(100.0, max(0.0, 75 + 10 * (value - mean) / sd))
    return min(100.0, max(0.0, value))


def compute(definition: dict, members: list[dict]) -> tuple[list[dict], list[str]]:
    """Results (one dict per member, in the members' order) and the run's notes."""
    components = definition["components"]
    cohort_values = {
        c["key"]: [m["values"][c["key"]]["value"] for m in members if m["values"][c["key"]]["value"] is not None] for c in components
    }
    results = []
    for member in members:
        parts, present = [], []
        for component in components:
            found = member["values"][component["key"]]
            value = found["value"]
            points = None if value is None else round(points_of(component, value, cohort_values[component["key"]]), 4)
            part = {
                "key": component["key"],
                "label": component["label"],
                "weight": component["weight"],
                "value": value,
                "points": points,
                "missing": found.get("why", NO_DATA) if value is None else "",
                "text": found.get("text", ""),
                "source": found.get("source", ""),
            }
            parts.append(part)
            if points is not None and component["weight"] > 0:
                present.append(part)
        bonus = sum(a["points"] for a in member["adjustments"] if a["points"] > 0)
        penalty = -sum(a["points"] for a in member["adjustments"] if a["points"] < 0)
        adjustment = round(min(bonus, definition["bonus_cap"]) - penalty, 2)
        weight = sum(p["weight"] for p in present)
        missing = [p for p in parts if p["points"] is None and p["weight"] > 0]
        reasons = []
        if weight == 0 or (missing and definition["missing"] == "no_grade"):
            score = None
            reasons.append(f"{'、'.join(p['label'] for p in missing)}{NO_DATA}，不定等次")
        else:
            for part in present:
                part["contribution"] = round(part["weight"] / weight * part["points"], 2)
            score = round(sum(p["weight"] * p["points"] for p in present) / weight + adjustment, 2)
            score = max(0.0, score)
            if missing:
                reasons.append(f"{'、'.join(p['label'] for p in missing)}{NO_DATA}，其余部分按权重重新折算（权重合计 {weight:g}）")
        results.append(
            {
                "ref": member["ref"],
                "label": member["label"],
                "detail": member.get("detail", ""),
                "category": member.get("category", ""),
                "cadre": member.get("cadre"),
                "score": score,
                "parts": parts,
                "adjustment": adjustment,
                "reasons": reasons,
            }
        )
    by_category = {}
    for result in results:
        by_category.setdefault(result["category"], []).append(result)
    for group in by_category.values():
        for result, rank in zip(group, competition_ranks([r["score"] for r in group])):
            result["rank"] = rank
    notes = grade(definition, members, results)
    follow_up(definition, results)
    return results, notes


def grade(definition: dict, members: list[dict], results: list[dict]) -> list[str]:
    grades = definition["grades"]
    labels = [g["label"] for g in grades]
    notes = []
    for result in results:
        result["proposed"] = "" if result["score"] is None else next(g["label"] for g in grades if result["score"] >= g["min"])
    graded = sorted((r for r in results if r["score"] is not None), key=lambda r: -r["score"])
    quota = definition.get("quota")
    if quota and graded:
        allowed = math.floor(quota["share"] * len(graded) + 1e-9)
        holders = [r for r in graded if r["proposed"] == quota["grade"]]
        if len(holders) > allowed:
            kept = holders[:allowed]
            if kept and len(holders) > allowed and holders[allowed]["score"] == kept[-1]["score"]:
                tied = [r for r in holders if r["score"] == kept[-1]["score"]]
                kept = [r for r in kept if r["score"] != kept[-1]["score"]]
                notes.append(
                    f"{'、'.join(r['label'] for r in tied)}并列 {tied[0]['score']:g} 分，跨过“{quota['grade']}”名额的最后一位，"
                    f"系统不作取舍，均列下一等次，请组织部门决定"
                )
            below = labels[labels.index(quota["grade"]) + 1]
            for result in holders[len(kept) :]:
                result["proposed"] = below
                result["reasons"].append(
                    f"分数达到“{quota['grade']}”，但“{quota['grade']}”不超过 {quota['share']:.0%}（{len(graded)} 人中至多 {allowed} 人），列“{below}”"
                )
        if allowed == 0:
            notes.append(f"参评 {len(graded)} 人，按 {quota['share']:.0%} 的名额评不出“{quota['grade']}”")
    forced = definition.get("forced")
    if forced and graded:
        count = math.ceil(forced["share"] * len(graded) - 1e-9)
        floor = labels.index(forced["grade"])
        for result in graded[len(graded) - count :]:
            if labels.index(result["proposed"]) < floor:
                result["reasons"].append(f"强制分布：排名最后的 {forced['share']:.0%}（{count} 人）至多评为“{forced['grade']}”")
                result["proposed"] = forced["grade"]
    by_ref = {m["ref"]: m for m in members}
    for result in results:
        member = by_ref[result["ref"]]
        vetoes = []
        for veto in definition.get("vetoes") or []:
            if veto["kind"] == "incompetent":
                share = member["values"][veto["component"]].get("incompetent")
                if share is not None and share >= veto["share"]:
                    vetoes.append(f"不称职票占 {share:.1%}，达到 {veto['share']:.1%}")
            else:
                vetoes += [f"{a['reason']}（{a['evidence']}）" for a in member["adjustments"] if a.get("veto")]
        if vetoes:
            result["veto"] = True
            result["proposed"] = definition["veto_grade"]
            result["reasons"].append(f"一票否决：{'；'.join(vetoes)}，定为“{definition['veto_grade']}”")
    return notes


def follow_up(definition: dict, results: list[dict]) -> None:
    graded = sorted((r for r in results if r["score"] is not None), key=lambda r: r["score"])
    for result in results:
        result["follow_ups"] = []
    for rule in definition.get("follow_ups") or []:
        if rule["when"] == "bottom" and graded:
            cut = graded[min(rule["n"], len(graded)) - 1]["score"]
            chosen = [r for r in graded if r["score"] <= cut]
            text = f"综合得分排在末 {rule['n']} 位"
        elif rule["when"] == "grade":
            chosen = [r for r in results if r["proposed"] == rule["grade"]]
            text = f"等次为“{rule['grade']}”"
        else:
            chosen = [r for r in results if r.get("veto")]
            text = "被一票否决"
        for result in chosen:
            result["follow_ups"].append({"kind": rule["kind"], "rule": text})


def recompute(run_definition: dict, inputs: dict) -> list[tuple]:
    """What a run's stored results must be: (ref, score, proposed, rank) per member."""
    results, _notes = compute(run_definition, inputs["members"])
    return [(r["ref"], r["score"], r["proposed"], r["rank"]) for r in results]
