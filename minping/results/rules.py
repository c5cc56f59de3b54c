"""Follow-up rules: thresholds on a subject's combined figures, or the bottom places of a peer category, that
put the subject on the follow-up list (诫勉谈话 candidates) together with the rule that fired.

A rule is {"question": key, "metric": "incompetent_rate" | ... | "score", "op": ">=" | ">" | "<=" | "<",
"value": number} or {"bottom": N}. Rates are fractions (1/3 = 0.3333), scores are points (0–100).
"""

import math
import operator

from django.core.exceptions import ValidationError

from minping.results.figures import METRICS, SCORE_LABEL, SCORED_TYPES, metrics_for

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
OP_LABELS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def validate_rules(rules, definition: dict) -> list[dict]:
    if not isinstance(rules, list):
        raise ValidationError("规则应为列表")
    questions = {q["key"]: q for q in definition["subject_questions"]}
    problems, kept = [], []
    for index, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            problems.append(f"第 {index} 条规则应为对象")
            continue
        if "bottom" in rule:
            if type(rule["bottom"]) is not int or not 1 <= rule["bottom"] <= 100:
                problems.append(f"第 {index} 条规则：末位名次数应为 1 到 100 的整数")
            kept.append({"bottom": rule["bottom"]})
            continue
        key = rule.get("question")
        question = questions.get(key) if isinstance(key, str) else None
        if question is None:
            problems.append(f"第 {index} 条规则：测评表中没有题目 “{key}”")
            continue
        metric = rule.get("metric")
        allowed = metrics_for(question) + (["score"] if question["type"] in SCORED_TYPES else [])
        if metric not in allowed:
            problems.append(f"第 {index} 条规则：题目 “{question['label']}” 没有指标 “{metric}”")
        op = rule.get("op")
        if not isinstance(op, str) or op not in OPS:
            problems.append(f"第 {index} 条规则：比较符应为 ≥、>、≤ 或 <")
        value = rule.get("value")
        if type(value) not in (int, float) or (type(value) is float and not math.isfinite(value)):
            problems.append(f"第 {index} 条规则：阈值应为数字")
        elif metric != "score" and not 0 <= value <= 1:
            problems.append(f"第 {index} 条规则：比率阈值应在 0 到 1 之间（如 1/3 写作 0.3333）")
        elif metric == "score" and not question.get("min", 0) <= value <= question.get("max", 100):
            problems.append(f"第 {index} 条规则：分数阈值应在 {question.get('min', 0)} 到 {question.get('max', 100)} 之间")
        kept.append({"question": key, "metric": metric, "op": op, "value": value})
    if problems:
        raise ValidationError(problems)
    return kept


def default_rules(definition: dict) -> list[dict]:
    """不称职 ≥ 1/3 on an overall grade, 满意率 < 2/3 on an overall satisfaction question."""
    overall = next((q for q in definition["subject_questions"] if q["key"] == "overall"), None)
    if overall is None:
        return []
    if overall["type"] == "grade":
        return [{"question": "overall", "metric": "incompetent_rate", "op": ">=", "value": 0.3333}]
    if overall["type"] == "scale":
        return [{"question": "overall", "metric": "satisfaction_rate", "op": "<", "value": 0.6667}]
    return []


def describe(rule: dict, definition: dict) -> str:
    if "bottom" in rule:
        return f"同类排名末 {rule['bottom']} 位"
    question = next((q for q in definition["subject_questions"] if q["key"] == rule["question"]), {"label": rule["question"]})
    metric = SCORE_LABEL if rule["metric"] == "score" else METRICS[rule["metric"]][0]
    value = rule["value"] if rule["metric"] == "score" else f"{rule['value'] * 100:.2f}%"
    return f"{question['label']} {metric} {OP_LABELS[rule['op']]} {value}"


def follow_up(ranked, rules: list[dict], definition: dict) -> list[dict]:
    """[{"figures": SubjectFigures, "rules": [description, ...]}] for every subject some rule fires on.
    `ranked` is the campaign ranking (figures of every subject with the questions the rules name)."""
    sizes = {}
    for item in ranked:
        if item.rank is not None:
            sizes[item.subject.category] = sizes.get(item.subject.category, 0) + 1
    fired = []
    for item in ranked:
        reasons = []
        for rule in rules:
            if "bottom" in rule:
                size = sizes.get(item.subject.category, 0)
                if item.rank is not None and size > rule["bottom"] and item.rank > size - rule["bottom"]:
                    reasons.append(describe(rule, definition))
                continue
            value = item.combined.get(rule["question"], {}).get(rule["metric"])
            if value is not None and OPS[rule["op"]](value, rule["value"]):
                reasons.append(describe(rule, definition))
        if reasons:
            fired.append({"figures": item, "rules": reasons})
    return fired
