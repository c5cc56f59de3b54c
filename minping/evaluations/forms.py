"""The ballot as an HTML form: field names, parsing into the answers payload, errors back onto fields."""

import re

from django.utils.datastructures import MultiValueDict

INTEGER_RE = re.compile(r"^-?[0-9]{1,6}$")


def field_name(subject_pk, key: str) -> str:
    return f"s{subject_pk}__{key}" if subject_pk is not None else f"g__{key}"


class BallotFields:
    """A ballot form's field names, worked out once for a campaign's questions and subjects: `payload` reads the
    answers payload from posted data, `hidden` the answers as (name, value) pairs. An opened campaign's are
    prepared once per process (evaluations/voting.py), since neither its questions nor its subjects change."""

    def __init__(self, definition: dict, subject_ids):
        questions = [(q["key"], q["type"]) for q in definition["subject_questions"]]
        self.subjects = [
            (str(pk), field_name(pk, "unknown"), [(key, kind, field_name(pk, key)) for key, kind in questions]) for pk in subject_ids
        ]
        self.general = [(q["key"], q["type"], field_name(None, q["key"])) for q in definition.get("general_questions", [])]
        self.names = [name for _pk, unknown, fields in self.subjects for name in (unknown, *(f[2] for f in fields))]
        self.names += [name for _key, _kind, name in self.general]

    def payload(self, data: MultiValueDict) -> dict:
        subjects: dict = {}
        for pk, unknown, fields in self.subjects:
            if data.get(unknown) == "1":
                subjects[pk] = {"unknown": True}
            else:
                subjects[pk] = {key: _read(kind, data, name) for key, kind, name in fields}
        return {"subjects": subjects, "general": {key: _read(kind, data, name) for key, kind, name in self.general}}

    def hidden(self, data) -> list[tuple[str, str]]:
        """Every answer of the posted form as (name, value) pairs, to carry from the review step to submission."""
        return [(name, value) for name in self.names for value in data.getlist(name)]


def _read(kind: str, data, name: str):
    values = dict.get(data, name)  # a MultiValueDict keeps a name's values as a list: one C call, not three
    if kind == "multi":
        return list(values) if values else []
    raw = values[-1] if values else ""
    if kind == "score" and raw != "":
        return int(raw) if INTEGER_RE.match(raw) else raw  # "５" or "2.5" stay text and fail validation
    return raw


def payload_from_post(definition: dict, subjects, data) -> dict:
    return BallotFields(definition, [subject.pk for subject in subjects]).payload(data)


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
