"""Photos of a work-log entry are open exactly to those who may open the entry."""

from minping.evidence import access
from minping.fieldwork.actions import may_open_entry
from minping.fieldwork.models import Entry


def may_open_entry_file(user, evidence) -> bool:
    return any(may_open_entry(user, entry) for entry in Entry.objects.filter(photos=evidence).select_related("cadre__region"))


access.register("fieldwork.log", rule=may_open_entry_file)
