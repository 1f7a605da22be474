"""Merging: an individual proceeding into a named case."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    CaseDefendant,
    DataVersion,
    Event,
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
