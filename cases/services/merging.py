"""Merging: an individual proceeding into a named case; two entries about one person."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    CaseDefendant,
    DataVersion,
    Detainee,
    DetaineeName,
    DetaineeOccupation,
    Event,
    PendingChange,
    State,
)
from ._base import _lock, _reason

# --- Merging an individual proceeding into a named case ---------------------------------------


@transaction.atomic
def merge_proceeding(*, case, into, moderator):
    """Move an individual proceeding (`Case.individual`: charges brought before anyone named the
    case) into a named or collective case, once its name is known: its defendants, their charge
    histories and its events go to `into` (a defendant already there keeps one membership, with
    both histories); the proceeding is retracted, pointing at `into`, so that its address leads
    there. A moderator's decision; every moved row keeps its history."""
    if not moderator.has_perm("cases.review_entries"):
        raise PermissionDenied
    case, into = _lock(case), _lock(into)
    if not case.individual or case.merged_into_id is not None:
        raise ValidationError(_("Only an individual proceeding not yet merged can be merged."))
    if into.pk == case.pk or into.state == State.RETRACTED or into.merged_into_id is not None:
        raise ValidationError(_("Choose another case: this one cannot take the proceeding."))
    if case.state == State.PUBLISHED and into.state != State.PUBLISHED:
        raise ValidationError(
            _("The proceeding is public: merge it into a published case, or publish that first.")
        )
    reason = f"merged into {into.name} by {moderator}"[:100]
    people = set()
    for membership in CaseDefendant.objects.filter(case=case).select_related("detainee"):
        people.add(membership.detainee)
        existing = CaseDefendant.objects.filter(case=into, detainee=membership.detainee).first()
        if existing is None:
            membership.case = into
            membership._history_user, membership._change_reason = moderator, reason
            membership.save()
            continue
        for charge in membership.charges.all():
            charge.defendant = existing
            charge._history_user, charge._change_reason = moderator, reason
            charge.save()
        existing.sources.add(*membership.sources.all())
        membership._history_user, membership._change_reason = moderator, reason
        membership.delete()
    for event in Event.objects.filter(case=case):
        event.case = into
        event._history_user, event._change_reason = moderator, reason
        event.save()
    case.state, case.merged_into = State.RETRACTED, into
    case.retraction_reason = reason
    case._history_user = moderator
    case.save()
    _reason(case, reason)
    for detainee in people:
        detainee.refresh_derived()
    DataVersion.bump()
    return into


# --- Merging two entries about one person -----------------------------------------------------


def check_person_merge(survivor, other):
    """Refuse a merge that cannot be made, with the reason; None when it can."""
    if other.pk == survivor.pk:
        raise ValidationError(_("Choose another entry: an entry cannot be merged into itself."))
    for entry in (survivor, other):
        if entry.state == State.RETRACTED or entry.merged_into_id is not None:
            raise ValidationError(
                _("%(name)s is retracted or merged already: it cannot be merged.")
                % {"name": entry.name}
            )
    if other.state == State.PUBLISHED and survivor.state != State.PUBLISHED:
        raise ValidationError(
            _("%(name)s is public: merge it into a published entry, or publish that first.")
            % {"name": other.name}
        )


def _moved(row, user, reason, **values):
    for name, value in values.items():
        setattr(row, name, value)
    row._history_user, row._change_reason = user, reason
    row.save()


def _fold(row, same, user, reason, **move):
    """Move `row` to the survivor (`move`), or, when the survivor holds the `same` row, keep
    that one with both rows' sources."""
    if same is None:
        _moved(row, user, reason, **move)
    else:
        _gone(row, user, reason, into=same)


def _gone(row, user, reason, into=None):
    """A duplicate row folded into `into`: its sources go there, its history keeps it."""
    if into is not None:
        into.sources.add(*row.sources.all())
    row._history_user, row._change_reason = user, reason
    row.delete()


def _charge_step(charge):
    """What makes two charge rows one step: the article (or offence), the step and its date."""
    return (charge.article_id, charge.description or "", charge.action, charge.date)


def merge_person(*, survivor, other, user):
    """Fold `other` into `survivor`: every spelling (its name becomes one), occupation,
    affiliation, event, case membership and charge, contact, source, ECHR application and
    assignee moves over; a row both have (the same spelling, the same event on the same date,
    the same charge step) is kept once with both rows' sources. Every moved row keeps its
    history. `other` is retracted, pointing at `survivor`, so that its address leads there; its
    waiting changes are withdrawn. Called by the `merge_people` part of an approved change."""
    other = Detainee.objects.select_for_update().get(pk=other.pk)
    check_person_merge(survivor, other)
    reason = f"merged into {survivor.name} (#{survivor.pk}) by {user}"[:100]
    names = {survivor.name, *survivor.other_names.values_list("name", flat=True)}
    if other.name not in names:
        spelling = DetaineeName.objects.create(
            detainee=survivor, name=other.name, kind=DetaineeName.Kind.ALIAS
        )
        spelling.sources.set(other.sources.all())
    for name in other.other_names.all():
        same = survivor.other_names.filter(name=name.name).first()
        _fold(name, same, user, reason, detainee=survivor)
    for row in other.occupation_rows.all():
        existing = survivor.occupation_rows.filter(occupation_id=row.occupation_id).first()
        if existing is None:
            DetaineeOccupation.objects.filter(pk=row.pk).update(detainee=survivor)
        else:
            existing.sources.add(*row.sources.all())
            row.delete()
    for affiliation in other.affiliations.all():
        _moved(affiliation, user, reason, detainee=survivor)
    for event in other.events.all():
        same = survivor.events.filter(
            kind=event.kind, date=event.date, date_precision=event.date_precision
        ).first()
        _fold(event, same, user, reason, detainee=survivor)
    for membership in other.memberships.all():
        existing = survivor.memberships.filter(case_id=membership.case_id).first()
        if existing is None:
            _moved(membership, user, reason, detainee=survivor)
            continue
        kept = {_charge_step(charge): charge for charge in existing.charges.all()}
        for charge in membership.charges.all():
            _fold(charge, kept.get(_charge_step(charge)), user, reason, defendant=existing)
        _gone(membership, user, reason, into=existing)
    for contact in other.contacts.all():
        _moved(contact, user, reason, detainee=survivor)
    survivor.sources.add(*other.sources.all())
    survivor.assignees.add(*other.assignees.all())
    for application in other.echr_applications.all():
        application.applicants.add(survivor)
        application.applicants.remove(other)
    if other.internal_notes:
        survivor.internal_notes = "\n\n".join(
            filter(None, [survivor.internal_notes, f"[{other.name}] {other.internal_notes}"])
        )
        Detainee.objects.filter(pk=survivor.pk).update(internal_notes=survivor.internal_notes)
    other.pending_changes.filter(state=PendingChange.State.PENDING).update(
        state=PendingChange.State.WITHDRAWN,
        review_comment=f"The entry was merged into {survivor.name}.",
    )
    other.state, other.merged_into = State.RETRACTED, survivor
    other.retraction_reason = reason
    other._history_user, other._change_reason = user, reason
    other.save()
    other.refresh_derived()
    DataVersion.bump()
