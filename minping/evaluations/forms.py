"""The ballot as an HTML form: field names, parsing into the answers payload, errors back onto fields."""

import re

INTEGER_RE = re.compile(r"^-?[0-9]{1,6}$")


def field_name(subject_pk, key: str) -> str:
    return f"s{subject_pk}__{key}" if subject_pk is not None else f"g__{key}"


def _value(question: dict, data, name: str):
    if question["type"] == "multi":
        return data.getlist(name)
    raw = data.get(name, "")
    if question["type"] == "score" and raw != "":
        return int(raw) if INTEGER_RE.match(raw) else raw  # "５" or "2.5" stay text and fail validation
    return raw


def payload_from_post(definition: dict, subjects, data) -> dict:
    payload: dict = {"subjects": {}, "general": {}}
    for subject in subjects:
        if data.get(field_name(subject.pk, "unknown")) == "1":
            payload["subjects"][str(subject.pk)] = {"unknown": True}
            continue
        payload["subjects"][str(subject.pk)] = {
            q["key"]: _value(q, data, field_name(subject.pk, q["key"])) for q in definition["subject_questions"]
        }
    payload["general"] = {q["key"]: _value(q, data, field_name(None, q["key"])) for q in definition.get("general_questions", [])}
    return payload


def errors_by_field(problems: list[dict]) -> dict[str, str]:
    """Map API-style problem paths (subjects.12.de) to form field names (s12__de)."""
    errors = {}
    for problem in problems:
        parts = problem["field"].split(".")
        if parts[0] == "subjects" and len(parts) == 3:
            errors[f"s{parts[1]}__{parts[2]}"] = problem["reason"]
        elif parts[0] == "subjects" and len(parts) == 2:
            errors[f"s{parts[1]}"] = problem["reason"]
        elif parts[0] == "general" and len(parts) == 2:
            errors[f"g__{parts[1]}"] = problem["reason"]
        else:
            errors["__all__"] = problem["reason"]
    return errors


def hidden_fields(definition: dict, subjects, data) -> list[tuple[str, str]]:
    """Every answer of the posted form as (name, value) pairs, to carry from the review step to submission."""
    names = []
    for subject in subjects:
        names.append(field_name(subject.pk, "unknown"))
        names += [field_name(subject.pk, q["key"]) for q in definition["subject_questions"]]
    names += [field_name(None, q["key"]) for q in definition.get("general_questions", [])]
    return [(name, value) for name in names for value in data.getlist(name)]
