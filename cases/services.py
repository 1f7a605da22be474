"""Workflows that touch several rows: logging an arrest, review, pending changes, restore.

Each is one keyword-only function inside a transaction. Permission checks live in the views'
single helpers (`workspace._entry_for`); these functions trust their caller but re-check the
invariants that protect data (state transitions, stale versions).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from .bulk import BATCH, BulkWriter, unique_slugs
from .forms import per_language
from .models import (
    Affiliation,
    Case,
    CaseDefendant,
    Charge,
    Court,
    CustodyPeriod,
    DataVersion,
    Detainee,
    DetaineeName,
    DetaineeOccupation,
    Event,
    Facility,
    LegalArticle,
    Occupation,
    Organization,
    PendingChange,
    Source,
    State,
    derive_timeline,
    unique_slug,
)

# Event fields a pending change may carry, and how each is stored in its JSON.
EVENT_FIELDS = [
    "kind", "date", "date_precision", "court", "facility", "case", "description_en",
    "description_az", "description_ru",
    "term_months", "term_days", "sentence_kind", "sentence_years", "sentence_months",
    "in_absentia", "internal_note",
]  # fmt: skip
# Restoring brings back what was written about the person, never the workflow's own state.
NOT_RESTORED = {
    "id", "version", "state", "created_by_id", "created_at", "saved_at", "updated_at",
    "published_at", "retraction_reason", "review_comment", "is_synthetic",
}  # fmt: skip
DETAINEE_FIELDS = ["name", "gender", "born", "born_precision", "bio_en", "bio_az", "bio_ru"]


class StaleVersion(ValidationError):
    pass


def sources_for(urls):
    """The Source rows for these URLs, created where new."""
    return [Source.objects.get_or_create(url=url, defaults={"title": url})[0] for url in urls]


def _lock(entry):
    return type(entry).objects.select_for_update().get(pk=entry.pk)


def _check_version(locked, version):
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _(
                "Someone else saved this entry since you opened it. Your change was not saved: "
                "reload the page to see their version, then make your change again."
            )
        )


def _reason(entry, text):
    update_change_reason(entry, text[:100])


# --- Logging an arrest -----------------------------------------------------------------------


def log_arrest(*, author, data):
    """Create a draft detainee with the detention, its sources and charges, from the form."""
    return log_arrests(author=author, rows=[data])[0]


@transaction.atomic
def log_arrests(*, author, rows, reason="", checked=False, new_cases=None):
    """Create a draft detainee per row: the person, other spellings, occupation, affiliation,
    the detention event, the case (rows naming the same new case share it), charges, sources.

    Written in bulk (a constant number of queries per 500 rows) with one history record per
    object, by `author` and with `reason`, and one raise of the data version. The model's checks
    run on every object; `checked` rows (the import's, each checked in its dry run in this
    transaction) skip the checks that cost a query each (foreign keys and constraints, about
    ten queries a row), which the database enforces anyway. A caller writing one import in
    several calls (to show progress) passes the same `new_cases` dict to each, so that a new
    case named in two calls is created once.
    """
    costly = {"validate_constraints": not checked, "validate_unique": False}
    writer = BulkWriter(user=author, reason=reason)
    sources = _sources_by_url(writer, [url for data in rows for url in data["source_urls"]])
    cases = _new_cases(writer, author, rows, {} if new_cases is None else new_cases)
    individual = _individual_cases(writer, author, rows)
    detainees, events = [], []
    slugs = unique_slugs(Detainee, [data["name"] for data in rows])
    for data, slug in zip(rows, slugs, strict=True):
        other_names = list(dict.fromkeys(data.get("other_names", [])))
        detainee = Detainee(
            name=data["name"], slug=slug, gender=data.get("gender") or "unknown",
            created_by=author, internal_notes=data.get("notes", ""), state=State.DRAFT,
        )  # fmt: skip
        detainee.full_clean(exclude=["slug", *(["created_by"] if checked else [])], **costly)
        detainee.search_text = detainee.build_search_text(other_names)
        event = Event(
            detainee=detainee, kind=data.get("kind") or Event.Kind.DETENTION,
            date=data["detained_on"],
            date_precision=data["detained_on_precision"], court=data.get("court"),
            facility=data.get("facility"),
            case=data.get("case") or cases.get(_case_key(data)) or individual.get(id(data)),
            **_descriptions(data),
        )  # fmt: skip
        event.full_clean(
            exclude=["detainee", *(["court", "facility", "case"] if checked else [])], **costly
        )
        derived = derive_timeline([event])
        for name, value in derived.detainee_fields().items():
            setattr(detainee, name, value)
        detainee.derived_periods = derived.periods
        detainee.other_names_given = other_names
        detainees.append(detainee)
        events.append(event)
    writer.create(detainees)
    writer.create(events)
    names = writer.create([
        DetaineeName(detainee=d, name=name) for d in detainees for name in d.other_names_given
    ])  # fmt: skip
    CustodyPeriod.objects.bulk_create(
        [CustodyPeriod(detainee=d, **period) for d in detainees for period in d.derived_periods],
        batch_size=BATCH,
    )
    affiliations, memberships, charges = [], [], []
    for data, detainee, event in zip(rows, detainees, events, strict=True):
        if data.get("organization"):
            affiliations.append(Affiliation(
                detainee=detainee, organization=data["organization"], role=data.get("role", ""),
            ))  # fmt: skip
        if event.case is not None:
            membership = CaseDefendant(case=event.case, detainee=detainee)
            memberships.append(membership)
            charges.extend(
                Charge(
                    defendant=membership,
                    article=article,
                    action=Charge.Action.BROUGHT,
                    date=data["detained_on"],
                    date_precision=data["detained_on_precision"],
                )
                for article in data.get("articles", [])
            )
    writer.create(affiliations)
    writer.create(memberships)
    writer.create(charges)

    def with_sources(objects, urls_of):
        return [(obj, sources[url]) for obj in objects for url in urls_of(obj)]

    urls = {id(d): d_data["source_urls"] for d, d_data in zip(detainees, rows, strict=True)}
    by_detainee = lambda obj: urls[id(obj.detainee)]  # noqa: E731
    writer.link(Detainee, "sources", with_sources(detainees, lambda d: urls[id(d)]))
    writer.link(Event, "sources", with_sources(events, by_detainee))
    writer.link(Affiliation, "sources", with_sources(affiliations, by_detainee))
    writer.link(CaseDefendant, "sources", with_sources(memberships, by_detainee))
    writer.link(Charge, "sources", with_sources(charges, lambda c: by_detainee(c.defendant)))
    writer.link(DetaineeName, "sources", with_sources(names, by_detainee))
    occupations = writer.link(
        Detainee, "occupations",
        [(d, data["occupation"]) for d, data in zip(detainees, rows, strict=True)
         if data.get("occupation")],
    )  # fmt: skip
    urls_by_pk = {d.pk: urls[id(d)] for d in detainees}
    writer.link(
        DetaineeOccupation, "sources",
        with_sources(occupations, lambda row: urls_by_pk[row.detainee_id]),
    )  # fmt: skip
    writer.write_history()
    DataVersion.bump()
    return detainees


def _descriptions(data):
    """The event's description in each language the form gave (description_en, _az, _ru); an
    import's single `description` is in the language of the page or command that imports it."""
    given = {name: data[name] for name in per_language("description") if data.get(name)}
    return given or {"description": data.get("description", "")}


def _case_key(data):
    return (data.get("new_case_name") or "").casefold().strip()


def _individual_cases(writer, author, rows):
    """An individual proceeding for each row charged under articles with no case named: the
    charges are recorded now, and a moderator merges the proceeding into a named case later."""
    charged = [
        data for data in rows
        if data.get("articles") and data.get("case") is None and not _case_key(data)
    ]  # fmt: skip
    if not charged:
        return {}
    cases = [Case.individual_for(data["name"], created_by=author) for data in charged]
    slugs = unique_slugs(Case, [case.name_en for case in cases])
    for case, slug in zip(cases, slugs, strict=True):
        case.slug = slug
        case.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    writer.create(cases)
    return {id(data): case for data, case in zip(charged, cases, strict=True)}


def _new_cases(writer, author, rows, created):
    """The cases rows name that do not exist yet, one per name however many rows name it;
    `created` holds (and receives) those an earlier call of the same import created."""
    names = {}
    for data in rows:
        key = _case_key(data)
        if data.get("case") is None and key and key not in created:
            names.setdefault(key, data["new_case_name"].strip())
    slugs = unique_slugs(Case, list(names.values()))
    cases = [
        Case(name=name, slug=slug, created_by=author)
        for name, slug in zip(names.values(), slugs, strict=True)
    ]
    for case in cases:
        case.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    writer.create(cases)
    created.update(zip(names, cases, strict=True))
    return created


def _sources_by_url(writer, urls):
    """url -> Source, creating the missing ones."""
    urls = list(dict.fromkeys(urls))
    found = {}
    for start in range(0, len(urls), BATCH):
        for source in Source.objects.filter(url__in=urls[start : start + BATCH]).order_by("id"):
            found.setdefault(source.url, source)
    writer.create([Source(url=url, title=url) for url in urls if url not in found])
    found.update({s.url: s for s in writer.created[Source]})
    return found


# --- Review of new entries -------------------------------------------------------------------


def _transition(entry, *, allowed, to, refusal, reason, **fields):
    """Move an entry between publication states, under a row lock, recording who and why."""
    entry = _lock(entry)
    if entry.state not in allowed:
        raise ValidationError(refusal)
    entry.state = to
    if to == State.PUBLISHED:
        entry.mark_updated()
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    _reason(entry, reason)
    return entry


@transaction.atomic
def submit_for_review(*, entry, user):
    return _transition(
        entry, allowed={State.DRAFT}, to=State.IN_REVIEW,
        refusal=_("Only a draft can be submitted for review."),
        reason=f"submitted for review by {user}",
    )  # fmt: skip


def _second_person(author_id, moderator, refusal):
    """The two-person rule (SPEC, rule 6): nobody approves their own work. TWO_PERSON_RULE off
    (a one-person organisation, README) lets one person do both."""
    if settings.TWO_PERSON_RULE and author_id is not None and author_id == moderator.pk:
        raise ValidationError(refusal)


@transaction.atomic
def publish(*, entry, moderator):
    _second_person(
        entry.created_by_id, moderator,
        _("You wrote this entry: another moderator must review and publish it."),
    )  # fmt: skip
    entry = _transition(
        entry, allowed={State.DRAFT, State.IN_REVIEW}, to=State.PUBLISHED,
        refusal=_("Only a draft or an entry in review can be published."),
        reason=f"published by {moderator}", review_comment="",
    )  # fmt: skip
    if isinstance(entry, Detainee):
        _publish_new_cases(entry, moderator)  # logged with the arrest: reviewed with it
        approve_terms_of(entry, moderator)
    return entry


def _publish_new_cases(detainee, moderator):
    """Publish the unpublished cases a person is in: a case opened with an entry or a change
    (a new name, an individual proceeding) is reviewed with it."""
    for case in Case.objects.filter(
        memberships__detainee=detainee, state__in=[State.DRAFT, State.IN_REVIEW]
    ):
        publish(entry=case, moderator=moderator)


@transaction.atomic
def request_changes(*, entry, moderator, comment):
    return _transition(
        entry, allowed={State.IN_REVIEW}, to=State.DRAFT,
        refusal=_("Only an entry in review can be sent back."),
        reason=f"changes requested by {moderator}", review_comment=comment,
    )  # fmt: skip


@transaction.atomic
def reject(*, entry, moderator, reason):
    return _transition(
        entry, allowed={State.DRAFT, State.IN_REVIEW}, to=State.RETRACTED,
        refusal=_("Only a draft or an entry in review can be rejected."),
        reason=f"rejected by {moderator}", review_comment=reason,
    )  # fmt: skip


@transaction.atomic
def retract(*, entry, moderator, reason):
    """Take a published entry off every public surface. Nothing is deleted."""
    return _transition(
        entry, allowed={State.PUBLISHED}, to=State.RETRACTED,
        refusal=_("Only a published entry can be retracted."),
        reason=f"retracted by {moderator}", retraction_reason=reason,
    )  # fmt: skip


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


# --- A person without a detention, a case by name ---------------------------------------------


@transaction.atomic
def create_person(*, author, name, source_urls, other_names=(), reason=""):
    """A draft person with no event yet (the timeline import adds them): sources and other
    spellings, one creation record by `author` with `reason`."""
    detainee = Detainee(name=name, created_by=author, state=State.DRAFT)
    detainee._history_user = author
    detainee._change_reason = (reason or "created")[:100]  # on the creation record itself
    detainee.full_clean(exclude=["slug"])
    detainee.save()
    del detainee._change_reason
    sources = sources_for(source_urls)
    detainee.sources.set(sources)
    for other in dict.fromkeys(other_names):
        DetaineeName.objects.create(detainee=detainee, name=other).sources.set(sources)
    if other_names:
        detainee.save()  # the search text, with the other spellings
    return detainee


def draft_case(*, author, name=None, individual_for=None):
    """A new draft case by name, or `individual_for` a person's name an individual proceeding;
    reviewed with the entries that name it."""
    case = Case.individual_for(individual_for) if individual_for else Case(name=name)
    case.created_by = author
    case._history_user = author
    case.full_clean(exclude=["slug"])
    case.save()
    return case


# --- Assignment ---------------------------------------------------------------------------------


def assignable(entry=None):
    """The researchers an entry may be assigned to: active staff who log entries."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="log_entries")
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def assign(*, entry, moderator, users):
    """Set the researchers working on an entry (who may then read its internal data); a
    moderator's decision, kept in the entry's history."""
    if not moderator.has_perm("cases.review_entries"):
        raise PermissionDenied
    users = list(users)
    if any(u not in set(assignable()) for u in users):
        raise ValidationError(_("Only active researchers can be assigned."))
    locked = _lock(entry)
    locked.assignees.set(users)
    locked._history_user = moderator
    locked.save()
    names = ", ".join(u.get_username() for u in users) or "nobody"
    _reason(locked, f"assigned to {names} by {moderator}")
    return locked


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


# --- Vocabulary an import proposes ------------------------------------------------------------

PROPOSED_REASON = "proposed by an import"


@transaction.atomic
def propose_terms(*, author, proposals):
    """Write the vocabulary an import proposes (`imports.Proposals`), unapproved, by `author`:
    terms by name (a slug made from it), articles in their code (their missing ancestors too,
    unapproved). Returns the rows written."""
    written = []
    for (model, _key), name in proposals.terms.items():
        slug_length = model._meta.get_field("slug").max_length - 6  # room for "-2"
        term = model(
            name=name[: model._meta.get_field("name").max_length],
            slug=unique_slug(model, name, max_length=slug_length),
            approved=False, proposed_by=author,
        )  # fmt: skip
        term.full_clean()
        written.append(term)
    for code, number in proposals.articles:
        article = LegalArticle(code=code, number=number, approved=False, proposed_by=author)
        article.full_clean(exclude=["sort_key"])
        written.append(article)
    for row in written:
        row._history_user = author
        row._change_reason = PROPOSED_REASON
        row.save()
    return written


def terms_of(detainee):
    """The vocabulary an entry's facts use: {model: queryset}, for `approve_terms_of` and the
    review page."""
    events = Event.objects.filter(detainee=detainee)
    charged = Charge.objects.filter(defendant__detainee=detainee)
    articles = LegalArticle.objects.filter(
        Q(pk__in=charged.values("article")) | Q(pk__in=charged.values("requalified_from"))
    )
    ancestors = set()
    for article in articles.filter(approved=False):
        ancestors |= {a.pk for a in article.ancestors()}
    return {
        Occupation: Occupation.objects.filter(pk__in=detainee.occupations.values("pk")),
        Organization: Organization.objects.filter(
            pk__in=Affiliation.objects.filter(detainee=detainee).values("organization")
        ),
        Court: Court.objects.filter(pk__in=events.values("court")),
        Facility: Facility.objects.filter(pk__in=events.values("facility")),
        LegalArticle: LegalArticle.objects.filter(Q(pk__in=articles) | Q(pk__in=ancestors)),
    }


def proposed_terms_of(detainee):
    """The unapproved vocabulary an entry uses, as (model, term) pairs."""
    return [
        (model, term)
        for model, rows in terms_of(detainee).items()
        for term in rows.filter(approved=False)
    ]


def approve_terms_of(detainee, moderator):
    """Approve the proposed vocabulary an entry uses: its publication (or an approved change)
    is the moderator's approval of it, with the rows."""
    for _model, term in proposed_terms_of(detainee):
        term.approved = True
        term._history_user = moderator
        term._change_reason = f"approved with {detainee.name} by {moderator}"[:100]
        term.save()


# --- Purge ----------------------------------------------------------------------------------


@transaction.atomic
def purge(*, entries, admin, reason):
    """Delete entries for ever, with all their parts: an admin's decision, never anyone else's
    (everyone else retracts). Their history keeps a deletion record with who and why; the admin
    site also writes the audit log. Returns the names purged."""
    names = []
    for entry in entries:
        if not admin.has_perm(f"cases.delete_{entry._meta.model_name}"):
            raise PermissionDenied
        entry._change_reason = f"purged by {admin}: {reason}"[:100]
        names.append(entry.name)
        entry.delete()
    DataVersion.bump()
    return names


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
