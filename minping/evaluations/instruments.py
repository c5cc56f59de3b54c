"""Question types, the built-in instruments drawn from practice, and validation of definitions and answers.

A definition is {"subject_questions": [...], "general_questions": [...]}: subject questions are asked of every
subject of a campaign (a matrix ballot when there are several), each subject with its own 不认识/不了解 box;
general questions are asked once per ballot. A question is {"key", "label", "type", ...}:

- scale, grade, yesno, single: "options" [{"key", "label", "score"}]; a score of null marks an option such as
  不了解 that campaigns may leave out of denominators;
- multi: "options" and "max_choices";
- score: an integer from "min" to "max";
- text: "max_length" characters.
"""

import copy
import re

from django.core.exceptions import ValidationError

from minping.lib.text import storable

SATISFACTION = [
    {"key": "satisfied", "label": "满意", "score": 100},
    {"key": "fairly", "label": "基本满意", "score": 80},
    {"key": "dissatisfied", "label": "不满意", "score": 0},
    {"key": "unknown", "label": "不了解", "score": None},
]
GRADE = [
    {"key": "excellent", "label": "优秀", "score": 100},
    {"key": "competent", "label": "称职", "score": 80},
    {"key": "basic", "label": "基本称职", "score": 60},
    {"key": "incompetent", "label": "不称职", "score": 0},
]
YESNO = [
    {"key": "yes", "label": "是", "score": 100},
    {"key": "no", "label": "否", "score": 0},
    {"key": "unknown", "label": "不了解", "score": None},
]
DEFAULT_OPTIONS = {"scale": SATISFACTION, "grade": GRADE, "yesno": YESNO}
CHOICE_TYPES = {"scale", "grade", "yesno", "single"}
TYPES = CHOICE_TYPES | {"multi", "score", "text"}
TYPE_LABELS = {
    "scale": "满意度量表",
    "grade": "等次评价",
    "yesno": "是否题",
    "single": "单选题",
    "multi": "多选题",
    "score": "打分题",
    "text": "文字题",
}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
MAX_QUESTIONS = 40
RESIDENTS = {"name": "群众", "kind": "masses"}

FAVOURABLE = {"satisfied", "fairly"}  # the options of a scale that count as satisfied, unless marked otherwise


def favourable_options(question: dict) -> set[str]:
    """The keys of a scale question's options that count as satisfied (满意率's numerator)."""
    return {o["key"] for o in question["options"] if o.get("favourable", o["key"] in FAVOURABLE)}


def q(key: str, label: str, kind: str = "scale", **extra) -> dict:
    question = {"key": key, "label": label, "type": kind, "required": extra.pop("required", kind != "text")}
    if kind in DEFAULT_OPTIONS:
        question["options"] = copy.deepcopy(DEFAULT_OPTIONS[kind])
    if kind == "text":
        question["max_length"] = extra.pop("max_length", 500)
    question.update(extra)
    return question


SUGGESTION = q("suggestion", "意见建议", "text")

BUILTINS = {
    "community_work": {
        "name": "社区工作群众满意度测评表",
        "description": "群众评议社区工作：社区服务、卫生、文化、治安、环境及总体评价（吉州“社区工作群众评”）。",
        "subject_kind": "region",
        "definition": {
            "subject_questions": [
                q("service", "社区服务"),
                q("sanitation", "卫生"),
                q("culture", "文化"),
                q("security", "治安"),
                q("environment", "环境"),
                q("overall", "总体评价"),
            ],
            "general_questions": [SUGGESTION],
        },
    },
    "party_secretary": {
        "name": "社区党组织书记测评表",
        "description": "从德、能、勤、绩、廉五个方面评价社区党组织书记，并给出总体等次。",
        "subject_kind": "cadre",
        "definition": {
            "subject_questions": [
                q("de", "德（思想政治素质）"),
                q("neng", "能（工作能力）"),
                q("qin", "勤（工作态度）"),
                q("ji", "绩（工作实绩）"),
                q("lian", "廉（廉洁自律）"),
                q("overall", "总体评价", "grade"),
            ],
            "general_questions": [SUGGESTION],
        },
    },
    "graduate_official": {
        "name": "选聘生（大学生社区干部）测评表",
        "description": "政治素养、工作能力、出勤出工、工作实绩、工作作风、参加培训，以优秀率报告。",
        "subject_kind": "cadre",
        "definition": {
            "subject_questions": [
                q("politics", "政治素养", "grade"),
                q("ability", "工作能力", "grade"),
                q("attendance", "出勤出工", "grade"),
                q("results", "工作实绩", "grade"),
                q("style", "工作作风", "grade"),
                q("training", "参加培训", "grade"),
            ],
            "general_questions": [SUGGESTION],
        },
    },
    "sankao_grounded": {
        "name": "“三考”群众考干部测评表（接地气）",
        "description": "鄞州“三考”：述职后由居民代表就是否常见、是否走访、是否解决实际问题等打分。",
        "subject_kind": "cadre",
        "definition": {
            "subject_questions": [
                q("seen", "您是否经常在社区见到这名干部？", "yesno"),
                q("visited", "这名干部是否到过您家走访？", "yesno"),
                q("solved", "这名干部是否帮助解决过实际问题？", "yesno"),
                q("score", "综合评分（0–100分）", "score", min=0, max=100),
                q("overall", "总体满意度"),
            ],
            "general_questions": [SUGGESTION],
        },
    },
    "enterprise_cadre": {
        "name": "企业考干部测评表",
        "description": "企业评价为其服务的干部：服务态度、办事效率、政策落实、廉洁自律、总体评价。",
        "subject_kind": "cadre",
        "evaluators": {"name": "企业", "kind": "enterprises"},
        "definition": {
            "subject_questions": [
                q("attitude", "服务态度"),
                q("efficiency", "办事效率"),
                q("policy", "政策落实"),
                q("integrity", "廉洁自律"),
                q("overall", "总体评价"),
            ],
            "general_questions": [SUGGESTION],
        },
    },
    "grassroots_department": {
        "name": "基层考部门测评表",
        "description": "街道、社区等基层单位评价职能部门和站所：服务基层、工作效率、协调配合、作风建设、总体评价。",
        "subject_kind": "unit",
        "evaluators": {"name": "基层单位", "kind": "grassroots"},
        "definition": {
            "subject_questions": [
                q("service", "服务基层"),
                q("efficiency", "工作效率"),
                q("coordination", "协调配合"),
                q("conduct", "作风建设"),
                q("overall", "总体评价"),
            ],
            "general_questions": [SUGGESTION],
        },
    },
    "village_cadre": {
        "name": "驻村干部满意度测评表",
        "description": "群众评价驻村干部：驻村时间、为民办实事、工作作风、总体满意度，并可提出意见和投诉。",
        "subject_kind": "cadre",
        "definition": {
            "subject_questions": [
                q("presence", "驻村时间是否有保证", "yesno"),
                q("deeds", "为民办实事"),
                q("style", "工作作风"),
                q("overall", "总体满意度"),
            ],
            "general_questions": [SUGGESTION, q("complaint", "投诉（可选）", "text")],
        },
    },
    "commitment_rating": {
        "name": "公开承诺群众评诺表",
        "description": "群众评价公开承诺的践诺情况（箬横镇“公开承诺践诺”）：每项承诺一行，选满意、基本满意或不满意。",
        "subject_kind": "commitment",
        "definition": {"subject_questions": [q("kept", "践诺情况评价")], "general_questions": [SUGGESTION]},
    },
    "problem_callback": {
        "name": "事件办理回访表",
        "description": "回访上报事件的群众：对办理部门的办理结果是否满意（回访满意率）。只评价办理自己所报事件的部门，其余选“不了解”。",
        "subject_kind": "unit",
        "definition": {"subject_questions": [q("result", "对办理结果的满意度")], "general_questions": [SUGGESTION]},
    },
    "mutual_pledge": {
        "name": "双诺双述双评测评表",
        "description": "社区与驻区单位年终互评：履行承诺、支持配合、总体评价（“双诺双述双评”）。",
        "subject_kind": "unit",
        "evaluators": {"name": "社区代表", "kind": "grassroots"},
        "definition": {
            "subject_questions": [q("kept", "履行承诺"), q("support", "支持配合"), q("overall", "总体评价")],
            "general_questions": [SUGGESTION],
        },
    },
}


def default_evaluators(builtin_key: str) -> dict:
    """The evaluator group a campaign starts with: whom the built-in questionnaire (or the one it was copied
    from) is written for; residents unless it says otherwise."""
    return dict(BUILTINS.get(builtin_key, {}).get("evaluators", RESIDENTS))


def validate_definition(definition) -> dict:
    """Return the definition if it is well formed, else raise ValidationError listing every problem."""
    problems = []
    if not isinstance(definition, dict):
        raise ValidationError("测评表定义应为对象")
    seen = set()
    total = 0
    for part in ("subject_questions", "general_questions"):
        questions = definition.get(part, [])
        if not isinstance(questions, list):
            problems.append(f"{part} 应为列表")
            continue
        total += len(questions)
        for index, question in enumerate(questions):
            where = f"{part}[{index}]"
            if not isinstance(question, dict):
                problems.append(f"{where} 应为对象")
                continue
            key, kind = question.get("key"), question.get("type")
            if not isinstance(key, str) or not KEY_RE.match(key):
                problems.append(f"{where}：key 应为小写字母开头的英文标识")
            elif (part, key) in seen:
                problems.append(f"{where}：key “{key}” 重复")
            seen.add((part, key))
            if not isinstance(question.get("label"), str) or not question["label"].strip():
                problems.append(f"{where}：缺少题目文字")
            if kind not in TYPES:
                problems.append(f"{where}：未知题型 {kind!r}")
            elif kind in CHOICE_TYPES | {"multi"}:
                options = question.get("options")
                if not isinstance(options, list) or len(options) < 2:
                    problems.append(f"{where}：至少需要两个选项")
                elif len({o.get("key") for o in options if isinstance(o, dict)}) != len(options):
                    problems.append(f"{where}：选项 key 重复或缺失")
                elif any(o.get("score") is not None and not isinstance(o.get("score"), (int, float)) for o in options):
                    problems.append(f"{where}：选项分值应为数字或 null")
            elif kind == "score":
                low, high = question.get("min", 0), question.get("max", 100)
                if not (isinstance(low, int) and isinstance(high, int) and low < high):
                    problems.append(f"{where}：分值范围无效")
    if total == 0:
        problems.append("测评表至少需要一道题")
    if total > MAX_QUESTIONS:
        problems.append(f"测评表最多 {MAX_QUESTIONS} 道题")
    if not definition.get("subject_questions"):
        problems.append("至少需要一道针对被测评对象的题目")
    if problems:
        raise ValidationError(problems)
    return definition


UNSTORABLE = "包含无法保存的字符（如空字符），请删除后重试"


class AnswerError(ValueError):
    """Answers that cannot be stored: `problems` is a list of {"field", "reason"} for the voter or the API."""

    def __init__(self, problems: list[dict]):
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems))
        self.problems = problems


def _answer(question: dict, keys: frozenset, value, field: str, problems: list) -> object:
    """The answer to store, or None. `keys` are the question's option keys; `field` names it in a problem."""
    kind = question["type"]

    def problem(reason: str) -> None:
        problems.append({"field": field, "reason": reason})

    if value is None or value == "" or value == []:
        if question.get("required", True):
            problem("必答题未作答")
        return None
    if kind in CHOICE_TYPES:
        if not isinstance(value, str) or value not in keys:
            problem("不是本题的选项")
        return value
    if kind == "multi":
        limit = question.get("max_choices", len(keys))
        if not isinstance(value, list) or not all(isinstance(v, str) and v in keys for v in value):
            problem("包含不是本题选项的内容")
        elif len(set(value)) != len(value) or len(value) > limit:
            problem(f"最多选 {limit} 项，且不能重复")
        return value
    if kind == "score":
        low, high = question.get("min", 0), question.get("max", 100)
        if type(value) is not int or not low <= value <= high:
            problem(f"应为 {low} 到 {high} 之间的整数")
        return value
    if not isinstance(value, str):
        problem("应为文字")
    elif not storable(value):
        problem(UNSTORABLE)
    elif len(value) > question.get("max_length", 500):
        problem(f"不能超过 {question.get('max_length', 500)} 字")
    return value.strip() if isinstance(value, str) else value


class _Questions:
    """A section's questions, prepared once for the checks of every subject's answers."""

    def __init__(self, questions: list[dict]):
        # (question, its key, its option keys, whether one option key is an answer that needs no more checking)
        self.plan = [(q, q["key"], frozenset(o["key"] for o in q.get("options", ())), q["type"] in CHOICE_TYPES) for q in questions]
        self.known = {q["key"] for q in questions}
        # When every question is a choice, a section answering each with one of its options is stored as given:
        # each (question, answer) pair of such a section is one of `answers`, and it has one pair a question.
        choices_only = all(choice for *_r, choice in self.plan)
        self.answers = frozenset((key, option) for _q, key, keys, _c in self.plan for option in keys) if choices_only else None


class BallotChecker:
    """An instrument's questions and a campaign's subjects, prepared once: `clean` checks a ballot's answers and
    returns their stored form or raises AnswerError. An opened campaign's checker is made once per process
    (evaluations/actions/casting.py), since neither its questions nor its subjects change."""

    def __init__(self, definition: dict, subject_ids: list[int]):
        self.subject_ids = [(pk, str(pk)) for pk in subject_ids]
        self.expected = {key for _pk, key in self.subject_ids}
        self.subject_questions = _Questions(definition["subject_questions"])
        self.general_questions = _Questions(definition.get("general_questions", []))

    def clean(self, payload, *, allow_void: bool = False) -> dict:
        """payload = {"subjects": {"<id>": {"<question>": value} | {"unknown": true}}, "general": {"<question>": value}}
        With allow_void (paper ballots keyed by clerks), a subject may be {"void": "<reason>"}."""
        problems: list[dict] = []
        if not isinstance(payload, dict):
            raise AnswerError([{"field": "answers", "reason": "应为对象"}])
        subjects = payload.get("subjects", {})
        general = payload.get("general", {})
        if not isinstance(subjects, dict) or not isinstance(general, dict):
            raise AnswerError([{"field": "answers", "reason": "subjects 和 general 应为对象"}])
        for extra in sorted(set(subjects) - self.expected):
            problems.append({"field": f"subjects.{extra}", "reason": "不是本次测评的对象"})
        stored: dict = {"s": {}, "g": {}}
        for pk, key in self.subject_ids:
            given = subjects.get(key)
            field = f"subjects.{pk}"
            if given is None:
                problems.append({"field": field, "reason": "未对该对象作答（不认识请选“不认识/不了解”）"})
                continue
            if not isinstance(given, dict):
                problems.append({"field": field, "reason": "应为对象"})
                continue
            if given.get("unknown") is True:
                stored["s"][key] = {"unknown": True}
                continue
            if allow_void and given.get("void"):  # a paper section marked invalid (废票): more marks than allowed…
                reason = str(given["void"])[:100]
                if not storable(reason):
                    problems.append({"field": f"{field}.void", "reason": UNSTORABLE})
                stored["s"][key] = {"void": reason}
                continue
            stored["s"][key] = _section(self.subject_questions, given, field, problems)
        stored["g"] = _section(self.general_questions, general, "general", problems)
        if problems:
            raise AnswerError(problems)
        return stored


def _section(questions: _Questions, given: dict, field: str, problems: list) -> dict:
    """Check one section (a subject's or the general questions) against its questions."""
    answers = questions.answers
    if answers is not None and len(given) == len(questions.known):
        try:
            if given.items() <= answers:  # one C-level pass over the section
                return dict(given)
        except TypeError:  # an unhashable answer (a list, an object): named below
            pass
    if not given.keys() <= questions.known:
        for extra in sorted(set(given) - questions.known - {"unknown"}):
            problems.append({"field": f"{field}.{extra}", "reason": "没有这道题"})
    section = {}
    for question, key, keys, choice in questions.plan:
        value = given.get(key)
        if choice and type(value) is str and value and value in keys:  # one of the options: most answers
            section[key] = value
            continue
        value = _answer(question, keys, value, f"{field}.{key}", problems)
        if value is not None:
            section[key] = value
    return section
