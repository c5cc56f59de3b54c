"""Every change of cadres' field work, one module per sub-domain: contact points (contacts), work-log entries and
their review (logs), items followed to closure and handed to the grid's dispatch (items), reception days
(reception), research topics and meetings (meetings), 蹲点 pairings (pairings). One function each, one
transaction, audited. Callers import this package and call `actions.<name>`."""

from minping.fieldwork.actions.common import (
    MAX_PHOTOS,
    checked_count,
    district_of,
    ensure_same_district,
    ensure_supervises,
    may_open_entry,
    may_supervise,
    split_lines,
)
from minping.fieldwork.actions.contacts import (
    FIELDS,
    SOURCES,
    add_contact,
    end_contact,
    install_contact_kinds,
)
from minping.fieldwork.actions.items import (
    TOLD,
    act_on_item,
    add_item,
    close_from_problem,
    close_item,
    forward_item,
    may_follow,
    new_item,
    propose_solution,
    tell_by_message,
    tell_raiser,
)
from minping.fieldwork.actions.logs import (
    EDITABLE,
    edit_entry,
    raiser_kind_of,
    record_entry,
    review_entry,
    set_entry_verification,
)
from minping.fieldwork.actions.meetings import (
    conclude_topic,
    create_topic,
    record_meeting,
)
from minping.fieldwork.actions.pairings import (
    create_pairing,
    create_project,
    may_record_activity,
    record_activity,
)
from minping.fieldwork.actions.reception import (
    create_schedule,
    may_record_session,
    record_session,
    set_rota,
)

__all__ = [
    "MAX_PHOTOS",
    "checked_count",
    "split_lines",
    "may_supervise",
    "may_open_entry",
    "ensure_supervises",
    "district_of",
    "ensure_same_district",
    "SOURCES",
    "FIELDS",
    "add_contact",
    "end_contact",
    "install_contact_kinds",
    "raiser_kind_of",
    "record_entry",
    "EDITABLE",
    "edit_entry",
    "review_entry",
    "new_item",
    "add_item",
    "may_follow",
    "propose_solution",
    "act_on_item",
    "forward_item",
    "close_item",
    "close_from_problem",
    "TOLD",
    "tell_by_message",
    "tell_raiser",
    "create_schedule",
    "set_rota",
    "may_record_session",
    "record_session",
    "create_topic",
    "conclude_topic",
    "record_meeting",
    "create_project",
    "create_pairing",
    "may_record_activity",
    "record_activity",
    "set_entry_verification",
]
