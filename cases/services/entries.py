"""New entries: logging arrests (one or in bulk), their review, people and cases by name,
assignment, purge."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..bulk import BATCH, BulkWriter, unique_slugs
from ..forms import per_language
from ..models import (
    Affiliation,
    Case,
    CaseDefendant,
    Charge,
    CustodyPeriod,
    DataVersion,
    Detainee,
    DetaineeName,
    DetaineeOccupation,
    Event,
    Source,
    State,
    derive_timeline,
)
from ._base import _lock, _reason, sources_for
from .vocabulary import approve_terms_of

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
