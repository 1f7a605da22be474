"""Changes to entries: applied at once to drafts, held for review on published entries;
their approval, conflicts and re-application; proposing a merge; hiding a source."""

import datetime
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import (
    Case,
    Detainee,
    PendingChange,
    State,
)
from . import parts
from ._base import (
    EVENT_FIELDS,
    StaleVersion,
    _check_version,
    _lock,
)
from .entries import _publish_new_cases, _second_person
from .merging import check_person_merge
from .vocabulary import approve_terms_of

# --- Changes to entries: applied at once to drafts, held for review on published entries ---


def event_data(cleaned):
    """A JSON-safe record of an event form's values, sources included."""
    data = {}
    for name in EVENT_FIELDS:
        value = cleaned.get(name)
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    data["source_urls"] = list(cleaned.get("source_urls", []))
    return data


def _fk(entry):
    """The PendingChange field that names `entry`: its person or its case."""
    return "case" if isinstance(entry, Case) else "detainee"


def _apply(entry, data, user, reason):
    """Write a change set to the main tables as `user`, the new version recorded with `reason`,
    then re-derive a person's facts."""
    if isinstance(entry, Case) and set(data) - {"fields"} - parts.CASE_PARTS:
        raise ValidationError(_("This change touches a field that cannot be changed here."))
    parts.apply_fields(entry, data.get("fields", {}))
    entry._history_user, entry._change_reason = user, reason[:100]
    entry.full_clean(exclude=["slug"])
    if entry.state == State.PUBLISHED:
        entry.mark_updated()  # an approved change
    # The entry's new version is recorded first, then its parts: a version's parts are the
    # rows as they stood until the next version was recorded (`history.snapshot_change`).
    entry.save()
    for part in parts.PARTS:
        for item in data.get(part.key, []):
            part.apply(entry, item, user)
    if isinstance(entry, Detainee):
        entry.refresh_derived()


def propose_merge(*, survivor, other, moderator):
    """Propose folding `other` into `survivor` (two entries about one person): a change to
    `survivor` like any other, so on a published entry another moderator approves it."""
    if not moderator.has_perm("cases.review_entries"):
        raise PermissionDenied
    check_person_merge(survivor, other)
    summary = _("Merge of “%(other)s” into this entry") % {"other": other.name}
    item = {"detainee": other.pk, "text": other.name}
    return change_entry(
        detainee=survivor, author=moderator, data={"merge_people": [item]}, summary=summary
    )


@transaction.atomic
def hide_source(*, source, user):
    """Mark a source confidential at once, whoever may change an entry citing it: hiding
    protects, so it never waits for review. Its history says who hid it."""
    source.confidential = True
    source._history_user = user
    source._change_reason = f"marked confidential by {user}"[:100]
    source.save()
    return source


def describe_change(change):
    """A change's readable lines (`parts.Line`), for its review page and the history: once
    applied, as they read just before (kept in each language); while waiting, as they read
    against the current version."""
    language = (translation.get_language() or "en").split("-")[0]
    if change.described:
        kept = change.described.get(language) or change.described.get("en") or []
        return [parts.Line(**line) for line in kept]
    return parts.describe(change.entry, change.data)


def _described(detainee, data):
    """The change's lines in every language, for `PendingChange.described`."""
    described = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            described[code] = [asdict(line) for line in parts.describe(detainee, data)]
    return described


@transaction.atomic
def change_entry(*, detainee=None, case=None, author, data, summary, version=None):
    """Record a change to a person (`detainee`) or a case.

    A draft (or an entry sent back) is changed in place. A published entry is not touched: the
    change waits as a PendingChange until a moderator approves it, so the public keeps seeing
    the last approved version.
    """
    locked = _lock(detainee or case)
    _check_version(locked, version)
    if locked.state == State.PUBLISHED:
        return _propose(locked, author, data, summary)
    if locked.state == State.RETRACTED:
        raise ValidationError(_("A retracted entry cannot be changed."))
    base_version = locked.version
    described = _described(locked, data)
    _apply(locked, data, author, summary)
    # Kept as a record of what was changed, for the entry's readable history.
    PendingChange.objects.create(
        **{_fk(locked): locked}, author=author, base_version=base_version, data=data,
        summary=summary[:255], state=PendingChange.State.APPLIED,
        applied_version=locked.version, reviewed_at=timezone.now(), described=described,
    )  # fmt: skip
    return None


def _propose(locked, author, data, summary):
    """A change to a published entry, waiting for review. An author's edits gather in their
    change still waiting, so that a moderator reads and approves them as one."""
    waiting = (
        PendingChange.objects.select_for_update()
        .filter(**{_fk(locked): locked}, author=author, state=PendingChange.State.PENDING)
        .order_by("-pk")
        .first()
    )
    if waiting is None:
        return PendingChange.objects.create(
            **{_fk(locked): locked}, author=author, base_version=locked.version, data=data,
            summary=summary[:255],
        )  # fmt: skip
    waiting.data = parts.merge(waiting.data, data)
    waiting.summary = f"{waiting.summary}; {summary}"[:255]
    waiting.revision += 1
    waiting.save()
    return waiting


@transaction.atomic
def approve_change(*, change, moderator, revision=None):
    """Apply a pending change as `moderator`. `revision` is the one the moderator read: a change
    its author added to since is refused, to be read again."""
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.state != PendingChange.State.PENDING:
        raise ValidationError(_("This change has already been decided."))
    if revision is not None and str(revision) != str(change.revision):
        raise StaleVersion(
            _("Its author added to this change since you opened it: read it again, then decide.")
        )
    _second_person(
        change.author_id, moderator,
        _("You proposed this change: another moderator must review and approve it."),
    )  # fmt: skip
    entry = _lock(change.entry)
    if entry.version != change.base_version:
        conflicts = change_conflicts(change, entry)
        if conflicts:
            raise StaleVersion(
                _(
                    "Since this change was proposed, another approved change touched the same "
                    "facts (%(what)s). Nothing was overwritten: the author can re-apply it on "
                    "the current version."
                )
                % {"what": "; ".join(conflicts)}
            )
        # Nothing it touches changed since: it applies to the current version as it is.
        change.base_version = entry.version
    change.described = _described(entry, change.data)
    _apply(
        entry, change.data, moderator,
        f"change #{change.pk} by {change.author} approved by {moderator}",
    )  # fmt: skip
    if isinstance(entry, Detainee):
        _publish_new_cases(entry, moderator)
        approve_terms_of(entry, moderator)
    change.state = PendingChange.State.APPROVED
    change.reviewer, change.reviewed_at = moderator, timezone.now()
    change.applied_version = entry.version
    change.save()
    return change


def change_conflicts(change, entry=None):
    """What a pending change proposes that was changed since it was proposed, in plain words;
    empty when it can be applied to the current version as it is (rebased). A field conflicts
    when its value now differs from its value in the version the change was made on; a part that
    changes or removes a recorded row (a date, an article, a spelling), when that row was saved
    or removed after the change was proposed; added rows never do."""
    return list(dict.fromkeys(conflict[0] for conflict in conflict_details(change, entry)))


def conflict_details(change, entry=None):
    """`change_conflicts` side by side, for its author and the moderator: (what, as it was when
    the change was proposed, as it is now, as the change proposes it)."""
    entry = entry or change.entry
    if entry.version == change.base_version:
        return []
    model, conflicts = type(entry), []
    fields = change.data.get("fields", {})
    if fields:
        base = entry.history.filter(version__lte=change.base_version).order_by("-version").first()
        for name, value in fields.items():
            field = model._meta.get_field(name)
            before = getattr(base, field.attname, None) if base is not None else None
            now = getattr(entry, field.attname)
            if base is None or before != now:
                conflicts.append((
                    str(field.verbose_name), parts.field_text(name, before, model),
                    parts.field_text(name, now, model), parts.field_text(name, value, model),
                ))  # fmt: skip
    for part in parts.PARTS:
        items = change.data.get(part.key, [])
        touched = part.touched_rows(items)
        if touched is None or not hasattr(touched[0], "history"):
            continue
        model, rows = touched
        changed = model.history.filter(id__in=rows, history_date__gt=change.created_at)
        if not changed.exists():
            continue
        for item in items:
            line = part.describe(entry, item)
            conflicts.append((str(part.label), line.old or "—", _("changed since"), line.text))
    return conflicts


@transaction.atomic
def reapply_change(*, change, author):
    """The author's change, proposed again on the current version (their values win where
    another approved change touched the same facts); the old one is withdrawn."""
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.author_id != author.pk or change.state != PendingChange.State.PENDING:
        raise PermissionDenied
    locked = _lock(change.entry)
    change.state = PendingChange.State.WITHDRAWN
    change.save()
    return PendingChange.objects.create(
        **{_fk(locked): locked}, author=author, base_version=locked.version, data=change.data,
        summary=change.summary,
    )  # fmt: skip


@transaction.atomic
def decide_change(*, change, moderator, state, comment):
    """Reject a pending change, or send it back to its author with a comment."""
    if state not in (PendingChange.State.REJECTED, PendingChange.State.CHANGES_REQUESTED):
        raise ValueError(state)
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.state != PendingChange.State.PENDING:
        raise ValidationError(_("This change has already been decided."))
    change.state = state
    change.review_comment = comment
    change.reviewer, change.reviewed_at = moderator, timezone.now()
    change.save()
    return change
