"""Turnout: issued, used and voided codes per evaluator group; once voting has ended, ballots and valid ballots
per subject and group as well.

While voting is open only codes are counted. Valid ballots per subject, watched as they change, would show how
each arriving ballot was filled in (a subject left at 不认识 leaves its count behind the used codes), and the
shuffle pool holds some ballots back from the ballot table until close anyway."""

from django.db import connection
from django.db.models import Count

from minping.evaluations.models import Ballot, Campaign, Code

VALID_SECTIONS_SQL = {
    "postgresql": (
        "SELECT b.group_id, j.key, count(*) FROM evaluations_ballot b "
        "CROSS JOIN LATERAL jsonb_each(b.answers->'s') j "
        "WHERE b.campaign_id = %s AND b.void_reason = '' AND NOT (j.value ? 'unknown') AND NOT (j.value ? 'void') "
        "GROUP BY 1, 2"
    ),
    "sqlite": (
        "SELECT b.group_id, j.key, count(*) FROM evaluations_ballot b, json_each(b.answers, '$.s') j "
        "WHERE b.campaign_id = %s AND b.void_reason = '' AND json_extract(j.value, '$.unknown') IS NULL "
        "AND json_extract(j.value, '$.void') IS NULL GROUP BY 1, 2"
    ),
}


def turnout(campaign: Campaign) -> dict:
    groups = list(campaign.groups.all())
    subjects = list(campaign.subjects.all())
    codes = {g.pk: {"issued": 0, "used": 0, "voided": 0} for g in groups}
    for row in Code.objects.filter(campaign=campaign).values("group_id", "status").annotate(n=Count("id")):
        codes[row["group_id"]][row["status"]] = row["n"]
    for counts in codes.values():
        counts["issued"] += counts["used"] + counts["voided"]
    if campaign.closed_at is None:
        group_rows = [{"group": g, **codes[g.pk], "quorum": g.effective_quorum} for g in groups]
        return {
            "counted": False,
            "groups": group_rows,
            "subjects": [],
            "subject_count": len(subjects),
            "issued": sum(r["issued"] for r in group_rows),
            "used": sum(r["used"] for r in group_rows),
            "ballots": None,
            "quorum_met": None,
        }
    ballots = dict(Ballot.objects.filter(campaign=campaign).values_list("group_id").annotate(n=Count("id")))
    void = dict(Ballot.objects.filter(campaign=campaign).exclude(void_reason="").values_list("group_id").annotate(n=Count("id")))
    valid: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(VALID_SECTIONS_SQL[connection.vendor], [campaign.pk])
        for group_id, subject_key, n in cursor.fetchall():
            valid[(int(subject_key), group_id)] = n
    rows = []
    for subject in subjects:
        cells = [{"group": g, "valid": valid.get((subject.pk, g.pk), 0), "quorum": g.effective_quorum} for g in groups]
        for cell in cells:
            cell["met"] = cell["valid"] >= cell["quorum"]
        rows.append({"subject": subject, "cells": cells, "met": all(c["met"] for c in cells)})
    group_rows = [
        {"group": g, **codes[g.pk], "quorum": g.effective_quorum, "ballots": ballots.get(g.pk, 0), "void": void.get(g.pk, 0)}
        for g in groups
    ]
    return {
        "counted": True,
        "subject_count": len(subjects),
        "groups": group_rows,
        "subjects": rows,
        "issued": sum(r["issued"] for r in group_rows),
        "used": sum(r["used"] for r in group_rows),
        "ballots": sum(r["ballots"] for r in group_rows),
        "quorum_met": sum(1 for r in rows if r["met"]),
    }
