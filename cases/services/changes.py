"""Changes to entries: applied at once to drafts, held for review on published entries;
their approval, conflicts and re-application; restoring an earlier version."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    CaseDefendant,
    Charge,
    Detainee,
    Event,
    LegalArticle,
    PendingChange,
    State,
)
from ._base import (
    DETAINEE_FIELDS,
    EVENT_FIELDS,
    NOT_RESTORED,
    StaleVersion,
    _check_version,
    _lock,
    _reason,
    sources_for,
)
from .entries import _publish_new_cases, _second_person
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


def _create_event(detainee, data, user):
    values = {k: v for k, v in data.items() if k in EVENT_FIELDS and v not in (None, "")}
    for fk in ("court", "facility", "case"):
        if fk in values:
            values[f"{fk}_id"] = values.pop(fk)
    values["date"] = datetime.date.fromisoformat(values["date"])
    event = Event(detainee=detainee, **values)
    event._history_user = user  # named in its history outside a request too (the command)
    event.full_clean()
    event.save()
    event.sources.set(sources_for(data.get("source_urls", [])))
    return event


def _create_charge(detainee, data, user):
    membership, _created = CaseDefendant.objects.get_or_create(
        case_id=data["case"], detainee=detainee
    )
    charge = Charge(
        defendant=membership, article_id=data.get("article"),
        description=data.get("description") or "", action=data["action"],
        date=datetime.date.fromisoformat(data["date"]) if data.get("date") else None,
        date_precision=data.get("date_precision") or "day",
    )  # fmt: skip
    charge._history_user = user
    charge.full_clean()
    charge.save()
    charge.sources.set(sources_for(data.get("source_urls", [])))
    return charge


def _correct_event_date(detainee, data, user):
    """A recorded event's date, corrected (an import's corrected detention date): the event
    keeps its history, so the record shows what the date was and who changed it."""
    event = detainee.events.filter(pk=data["event"]).first()
    if event is None:
        raise ValidationError(_("The event this change corrects is no longer there."))
    event.date = datetime.date.fromisoformat(data["date"])
    event.date_precision = data["date_precision"]
    event._history_user = user
    event.full_clean()
    event.save()
    event.sources.add(*sources_for(data.get("source_urls", [])))
    return event


def _correct_charge_article(detainee, data, user):
    """A recorded charge's article, corrected (an import's row naming another article than the
    one recorded as brought): the charge keeps its history and gains the row's sources."""
    charge = Charge.objects.filter(pk=data["charge"], defendant__detainee=detainee).first()
    article = LegalArticle.objects.filter(pk=data["article"]).first()
    if charge is None or article is None:
        raise ValidationError(_("The charge this change corrects is no longer there."))
    charge.article = article
    charge._history_user = user
    charge.full_clean()
    charge.save()
    charge.sources.add(*sources_for(data.get("source_urls", [])))
    return charge


def _apply(detainee, data, user):
    """Write a change set to the main tables as `user`, then re-derive the detainee's facts."""
    for name, value in data.get("fields", {}).items():
        if name not in DETAINEE_FIELDS:
            raise ValidationError(_("This change touches a field that cannot be changed here."))
        if name == "born" and value:
            value = datetime.date.fromisoformat(value)
        setattr(detainee, name, value)
    for correction in data.get("correct_events", []):
        _correct_event_date(detainee, correction, user)
    for correction in data.get("correct_charges", []):
        _correct_charge_article(detainee, correction, user)
    for event in data.get("add_events", []):
        _create_event(detainee, event, user)
    for charge in data.get("add_charges", []):
        _create_charge(detainee, charge, user)
    detainee._history_user = user
    detainee.full_clean(exclude=["slug"])
    if detainee.state == State.PUBLISHED:
        detainee.mark_updated()  # an approved change
    detainee.save()
    detainee.refresh_derived()


@transaction.atomic
def change_entry(*, detainee, author, data, summary, version=None):
    """Record a change to a detainee.

    A draft (or an entry sent back) is changed in place. A published entry is not touched: the
    change waits as a PendingChange until a moderator approves it, so the public keeps seeing
    the last approved version.
    """
    locked = _lock(detainee)
    _check_version(locked, version)
    if locked.state == State.PUBLISHED:
        return PendingChange.objects.create(
            detainee=locked, author=author, base_version=locked.version, data=data,
            summary=summary,
        )  # fmt: skip
    if locked.state == State.RETRACTED:
        raise ValidationError(_("A retracted entry cannot be changed."))
    _apply(locked, data, author)
    _reason(locked, summary)
    return None


@transaction.atomic
def approve_change(*, change, moderator):
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.state != PendingChange.State.PENDING:
        raise ValidationError(_("This change has already been decided."))
    _second_person(
        change.author_id, moderator,
        _("You proposed this change: another moderator must review and approve it."),
    )  # fmt: skip
    detainee = _lock(change.detainee)
    if detainee.version != change.base_version:
        conflicts = change_conflicts(change, detainee)
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
        change.base_version = detainee.version
    _apply(detainee, change.data, moderator)
    _reason(detainee, f"change #{change.pk} by {change.author} approved by {moderator}")
    _publish_new_cases(detainee, moderator)
    approve_terms_of(detainee, moderator)
    change.state = PendingChange.State.APPROVED
    change.reviewer, change.reviewed_at = moderator, timezone.now()
    change.save()
    return change


def change_conflicts(change, detainee=None):
    """What a pending change proposes that was changed since it was proposed, in plain words;
    empty when it can be applied to the current version as it is (rebased). A field conflicts
    when its value now differs from its value in the version the change was made on; a corrected
    event or charge, when that row was saved after the change was proposed; added events and
    charges never do."""
    detainee = detainee or change.detainee
    if detainee.version == change.base_version:
        return []
    conflicts = []
    fields = change.data.get("fields", {})
    if fields:
        base = (
            detainee.history.filter(version__lte=change.base_version).order_by("-version").first()
        )
        for name in fields:
            before = getattr(base, name, None) if base is not None else None
            if base is None or before != getattr(detainee, name):
                conflicts.append(str(Detainee._meta.get_field(name).verbose_name))
    for key, model, label in (
        ("correct_events", Event, _("the date of an event")),
        ("correct_charges", Charge, _("the article of a charge")),
    ):
        rows = [item.get("event") or item.get("charge") for item in change.data.get(key, [])]
        changed = model.history.filter(id__in=rows, history_date__gt=change.created_at)
        if rows and changed.exists():
            conflicts.append(str(label))
    return conflicts


@transaction.atomic
def reapply_change(*, change, author):
    """The author's change, proposed again on the current version (their values win where
    another approved change touched the same facts); the old one is withdrawn."""
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if change.author_id != author.pk or change.state != PendingChange.State.PENDING:
        raise PermissionDenied
    locked = _lock(change.detainee)
    change.state = PendingChange.State.WITHDRAWN
    change.save()
    return PendingChange.objects.create(
        detainee=locked, author=author, base_version=locked.version, data=change.data,
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


# --- History --------------------------------------------------------------------------------


@transaction.atomic
def restore_version(*, entry, history_id, user):
    """Bring back the field values of an earlier version; the restore is itself a new version."""
    if not user.has_perm("cases.review_entries"):
        raise PermissionDenied
    record = entry.history.get(history_id=history_id)
    locked = _lock(entry)
    for field in type(entry).history.model._meta.fields:
        name = field.attname
        if name in NOT_RESTORED or name.startswith("history_") or not hasattr(locked, name):
            continue
        setattr(locked, name, getattr(record, name))
    if locked.state == State.PUBLISHED:
        locked.mark_updated()
    locked.save()
    _reason(locked, f"restored the version of {record.history_date:%Y-%m-%d %H:%M} by {user}")
    if isinstance(locked, Detainee):
        locked.refresh_derived()
    return locked
