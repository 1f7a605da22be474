"""History: an entry as it was in an earlier version, and restoring it as one reviewed change.

A version of a person is their own record (`Detainee.history`) and the parts as they stood
until the next version was recorded: `changes._apply` records the person's new version before
writing its parts, and an arrest is logged the same way, person first.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Affiliation, CaseDefendant, Charge, DetaineeName, Event, Precision
from ._base import DETAINEE_FIELDS, EVENT_FIELDS
from .changes import change_entry

# Parts restored from their own history; what a version leaves out (ECHR applications, sources
# of the entry itself) stays as it is now.
RESTORED = ("fields", "names", "occupations", "affiliations", "events", "charges")


def _moment_after(entry, record):
    """The last moment of `record`'s version: just before the next version was recorded."""
    later = (
        entry.history.filter(history_date__gt=record.history_date).order_by("history_date").first()
    )
    if later is None:
        return timezone.now(), None
    return later.history_date - datetime.timedelta(microseconds=1), later


def _rows_then(model, moment, **lookup):
    """{id: historical record} of the rows of `model` that existed at `moment`."""
    latest = {}
    records = model.history.filter(history_date__lte=moment, **lookup)
    for record in records.order_by("history_date", "history_id"):
        latest[record.id] = record
    return {pk: r for pk, r in latest.items() if r.history_type != "-"}


def _urls(record):
    """The source URLs a historical record's sources held at that moment."""
    return [row.source.url for row in record.sources.select_related("source") if row.source.url]


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def snapshot_change(detainee, record):
    """The change set that brings `detainee` back to `record`'s version: its own fields, other
    spellings, occupations, affiliations, events and charges as they were; {} when nothing
    differs."""
    moment, later = _moment_after(detainee, record)
    data = {}
    fields = {
        name: _iso(getattr(record, name))
        for name in DETAINEE_FIELDS
        if getattr(record, name) != getattr(detainee, name)
    }
    if fields:
        data["fields"] = fields

    names_then = {
        r.name: r for r in _rows_then(DetaineeName, moment, detainee_id=detainee.pk).values()
    }
    names_now = {n.name: n for n in detainee.other_names.all()}
    data["remove_names"] = [
        {"id": row.pk, "text": name} for name, row in names_now.items() if name not in names_then
    ]
    data["add_names"] = [
        {"name": name, "script": r.script, "kind": r.kind, "language": r.language,
         "source_urls": _urls(r)}
        for name, r in names_then.items() if name not in names_now
    ]  # fmt: skip

    # Occupations have no history of their own: the person's next record holds them as they
    # were at its start, which is when this version ended.
    then = (
        {row.occupation_id for row in later.occupations.all()}
        if later is not None
        else set(detainee.occupation_rows.values_list("occupation_id", flat=True))
    )
    rows_now = {row.occupation_id: row for row in detainee.occupation_rows.all()}
    data["remove_occupations"] = [
        {"id": row.pk, "text": str(row)} for pk, row in rows_now.items() if pk not in then
    ]
    data["add_occupations"] = [
        {"occupation": pk, "source_urls": []} for pk in sorted(then - set(rows_now))
    ]

    affiliations_then = _rows_then(Affiliation, moment, detainee_id=detainee.pk)
    affiliations_now = set(detainee.affiliations.values_list("pk", flat=True))
    data["remove_affiliations"] = [
        {"id": pk} for pk in sorted(affiliations_now - set(affiliations_then))
    ]
    data["add_affiliations"] = [
        {"organization": r.organization_id, "role": r.role, "start": _iso(r.start),
         "start_precision": r.start_precision, "end": _iso(r.end),
         "end_precision": r.end_precision, "source_urls": _urls(r)}
        for pk, r in affiliations_then.items() if pk not in affiliations_now
    ]  # fmt: skip

    events_then = _rows_then(Event, moment, detainee_id=detainee.pk)
    events_now = {e.pk: e for e in detainee.events.all()}
    data["remove_events"] = [{"id": pk} for pk in sorted(set(events_now) - set(events_then))]
    data["add_events"] = [
        {**{name: _event_value(r, name) for name in EVENT_FIELDS}, "source_urls": _urls(r)}
        for pk, r in events_then.items() if pk not in events_now
    ]  # fmt: skip
    data["correct_events"] = [
        {"event": pk, "date": r.date.isoformat(), "date_precision": r.date_precision}
        for pk, r in events_then.items()
        if pk in events_now
        and (r.date, r.date_precision) != (events_now[pk].date, events_now[pk].date_precision)
    ]

    memberships = _rows_then(CaseDefendant, moment, detainee_id=detainee.pk)
    charges_then = _rows_then(Charge, moment, defendant_id__in=list(memberships))
    charges_now = {c.pk: c for c in Charge.objects.filter(defendant__detainee=detainee)}
    data["remove_charges"] = [{"id": pk} for pk in sorted(set(charges_now) - set(charges_then))]
    data["add_charges"] = [
        {"case": memberships[r.defendant_id].case_id, "article": r.article_id,
         "description": r.description, "action": r.action, "date": _iso(r.date),
         "date_precision": r.date_precision or Precision.DAY, "source_urls": _urls(r)}
        for pk, r in charges_then.items() if pk not in charges_now
    ]  # fmt: skip
    data["correct_charges"] = [
        {"charge": pk, "article": r.article_id}
        for pk, r in charges_then.items()
        if pk in charges_now and r.article_id and r.article_id != charges_now[pk].article_id
    ]
    return {key: value for key, value in data.items() if value}


def _event_value(record, name):
    if name in ("court", "facility", "case"):
        return getattr(record, f"{name}_id")
    return _iso(getattr(record, name, None))


def restore_version(*, entry, history_id, user):
    """Propose bringing the person back to an earlier version, parts included, as one change
    (on a published entry it waits for another moderator; on a draft it applies at once).
    Returns the pending change, or None when it was applied."""
    if not user.has_perm("cases.review_entries"):
        raise PermissionDenied
    record = entry.history.get(history_id=history_id)
    data = snapshot_change(entry, record)
    if not data:
        raise ValidationError(_("That version is the same as the current one: nothing to restore."))
    when = timezone.localtime(record.history_date)
    summary = _("Restore of the version of %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"}
    return change_entry(detainee=entry, author=user, data=data, summary=summary)
