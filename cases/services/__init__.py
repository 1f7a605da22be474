"""Workflows that touch several rows: logging an arrest, review, pending changes, merging,
restore. Views, imports and commands write through these, never past them.

Each is one keyword-only function inside a transaction. Permission checks live in the views'
single helpers (`workspace._detainee_for`); these functions trust their caller but re-check the
invariants that protect data (state transitions, stale versions).

By concept: `entries` (new entries and their review), `changes` (changes to entries, their
review and restore), `merging`, `vocabulary` (terms an import proposes); `_base` holds what
they share.
"""

from ._base import DETAINEE_FIELDS, EVENT_FIELDS, StaleVersion, sources_for
from .changes import (
    approve_change,
    change_conflicts,
    change_entry,
    conflict_details,
    decide_change,
    describe_change,
    event_data,
    hide_source,
    propose_merge,
    reapply_change,
)
from .entries import (
    assign,
    assignable,
    create_person,
    draft_case,
    log_arrest,
    log_arrests,
    publish,
    purge,
    reject,
    request_changes,
    retract,
    submit_for_review,
)
from .history import restore_version, snapshot_change
from .merging import check_person_merge, merge_proceeding
from .parts import cited_source, describe_fact, describe_part, fact_row, removal
from .parts import describe as describe_data
from .vocabulary import (
    PROPOSED_REASON,
    approve_terms_of,
    propose_terms,
    proposed_terms_of,
    terms_of,
)

__all__ = [
    "DETAINEE_FIELDS",
    "EVENT_FIELDS",
    "PROPOSED_REASON",
    "StaleVersion",
    "approve_change",
    "approve_terms_of",
    "assign",
    "assignable",
    "change_conflicts",
    "change_entry",
    "check_person_merge",
    "cited_source",
    "conflict_details",
    "create_person",
    "decide_change",
    "describe_change",
    "describe_data",
    "describe_fact",
    "describe_part",
    "draft_case",
    "event_data",
    "fact_row",
    "hide_source",
    "log_arrest",
    "log_arrests",
    "merge_proceeding",
    "propose_merge",
    "propose_terms",
    "proposed_terms_of",
    "publish",
    "purge",
    "reapply_change",
    "reject",
    "removal",
    "request_changes",
    "restore_version",
    "retract",
    "snapshot_change",
    "sources_for",
    "submit_for_review",
    "terms_of",
]
