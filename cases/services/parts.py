"""The parts a change set may hold, each in one place: how it is applied to an entry, how it
reads to a moderator and in the history, and what makes it conflict with a later version.

A change set (`PendingChange.data`) is a dict of lists keyed by part, plus `fields` for the
person's own values: `{"fields": {...}, "add_names": [...], "remove_sources": [...]}`. Every
value in it is JSON: ids, ISO dates, source URLs. A part that states a fact carries the
`source_urls` that say so.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Affiliation,
    Case,
    CaseDefendant,
    Charge,
    Court,
    Detainee,
    DetaineeName,
    DetaineeOccupation,
    EchrApplication,
    Event,
    Facility,
    LegalArticle,
    Occupation,
    Organization,
    Precision,
    SentenceKind,
    Source,
    format_partial_date,
)
from ._base import CASE_FIELDS, DETAINEE_FIELDS, EVENT_FIELDS, sources_for
from .merging import merge_person


@dataclass
class Line:
    """One readable line of a change: "Other spelling added: Анар Абдулла", with its details
    (label, value) and the sources it gives."""

    what: str
    action: str  # "added", "removed", "changed"
    text: str = ""
    old: str = ""
    details: list = field(default_factory=list)
    sources: list = field(default_factory=list)


def _date(value, precision):
    if not value:
        return _("date unknown")
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return format_partial_date(value, precision or Precision.DAY)


def describe_source(source):
    """A source as people cite it: "Turan, 30 April 2024", else its title, else its address."""
    if source.publisher and source.published_on:
        return f"{source.publisher}, {format_partial_date(source.published_on)}"
    return source.publisher or source.title or source.url


def _source_texts(urls):
    known = {s.url: s for s in Source.objects.filter(url__in=list(urls))}
    return [describe_source(known[url]) if url in known else url for url in urls]


def _gone():
    return ValidationError(_("A row this change touches is no longer recorded."))


def _saved(row, user):
    row._history_user = user
    row.full_clean()
    row.save()
    return row


# --- Parts ------------------------------------------------------------------------------------


class Part:
    """A kind of item in a change set. `key` names its list in the data; `apply` writes one item
    as `user`; `describe` reads it; `target` is the existing row it changes, if any (a part
    whose row was changed or removed after the change was proposed conflicts)."""

    key = ""
    label = ""
    model = None

    def apply(self, detainee, item, user):
        raise NotImplementedError

    def describe(self, detainee, item):
        raise NotImplementedError

    def target(self, detainee, item):
        return None

    def touched_rows(self, items):
        """(model, ids) of existing rows the items change: rows changed after the proposal
        conflict."""
        ids = [item.get("id") for item in items if item.get("id")]
        return (self.model, ids) if ids and self.model else None


class AddEvent(Part):
    key, label, model = "add_events", gettext_lazy("Event"), Event

    def apply(self, detainee, item, user):
        values = {k: v for k, v in item.items() if k in EVENT_FIELDS and v not in (None, "")}
        for fk in ("court", "facility", "case"):
            if fk in values:
                values[f"{fk}_id"] = values.pop(fk)
        values["date"] = datetime.date.fromisoformat(values["date"])
        event = _saved(Event(detainee=detainee, **values), user)
        event.sources.set(sources_for(item.get("source_urls", [])))
        return event

    def describe(self, detainee, item):
        labels = {f.name: f.verbose_name for f in Event._meta.fields}
        labels["description_en"] = _("description")
        related = {"court": Court, "facility": Facility, "case": Case}
        details = []
        for name, value in item.items():
            if value in (None, "", False, []) or name in ("date_precision", "source_urls"):
                continue
            if name in ("kind", "date"):
                continue
            if name == "sentence_kind":
                value = SentenceKind(value).label
            elif name in related:
                value = related[name].objects.filter(pk=value).first() or value
            details.append((str(labels.get(name, name)), str(value)))
        return Line(
            str(self.label), "added",
            f"{Event.Kind(item['kind']).label}, {_date(item['date'], item.get('date_precision'))}",
            details=details, sources=_source_texts(item.get("source_urls", [])),
        )  # fmt: skip

    def touched_rows(self, items):
        return None


def _event_text(name, value):
    """An event field's value as people read it."""
    if value in (None, "", []):
        return "—"
    if name == "kind":
        return str(Event.Kind(value).label)
    if name == "sentence_kind":
        return str(SentenceKind(value).label)
    if name in ("court", "facility", "case"):
        model = {"court": Court, "facility": Facility, "case": Case}[name]
        value = value.pk if hasattr(value, "pk") else value
        return str(model.objects.filter(pk=value).first() or "?")
    if name == "date":
        return _date(value, Precision.DAY)
    if name == "date_precision":
        return str(Precision(value).label)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


class CorrectEvent(Part):
    """A recorded event corrected: its date (the import's corrected detention date), or any of
    its facts (court, place of detention, term…). The event keeps its history."""

    key, label, model = "correct_events", gettext_lazy("Event"), Event

    @staticmethod
    def values(item):
        return {k: v for k, v in item.items() if k in EVENT_FIELDS}

    def apply(self, detainee, item, user):
        event = detainee.events.filter(pk=item["event"]).first()
        if event is None:
            raise _gone()
        for name, value in self.values(item).items():
            if name in ("court", "facility", "case"):
                setattr(event, f"{name}_id", value)
            elif name == "date":
                event.date = datetime.date.fromisoformat(value)
            elif value is None and not Event._meta.get_field(name).null:
                setattr(event, name, "")  # a text or choice emptied
            else:
                setattr(event, name, value)
        _saved(event, user).sources.add(*sources_for(item.get("source_urls", [])))
        return event

    def describe(self, detainee, item):
        event = detainee.events.filter(pk=item.get("event")).first()
        values = self.values(item)
        sources = _source_texts(item.get("source_urls", []))
        if set(values) <= {"date", "date_precision"}:
            kind = event.get_kind_display() if event else _("no longer recorded")
            return Line(
                str(_("Date of an event")), "changed",
                _date(item["date"], item.get("date_precision")),
                old=_date(event.date, event.date_precision) if event else "—",
                details=[(_("event"), kind)],
                sources=sources,
            )  # fmt: skip
        if event is None:
            return Line(str(self.label), "changed", str(_("no longer recorded")), sources=sources)
        details = []
        for name, value in values.items():
            field = Event._meta.get_field(name)
            old = _event_text(name, getattr(event, field.attname))
            new = _event_text(name, value)
            details.append((str(capfirst(field.verbose_name)), f"{old} → {new}"))
        return Line(
            str(self.label), "changed", describe_fact(event, "event"), details=details,
            sources=sources,
        )  # fmt: skip

    def touched_rows(self, items):
        return (Event, [item.get("event") for item in items])


class AddCharge(Part):
    """A step in a charge (brought, added, dropped, convicted, acquitted) in a case; the
    person becomes a defendant in it if they were not."""

    key, label, model = "add_charges", gettext_lazy("Charge"), Charge

    def apply(self, detainee, item, user):
        membership, _created = CaseDefendant.objects.get_or_create(
            case_id=item["case"], detainee=detainee
        )
        charge = Charge(
            defendant=membership, article_id=item.get("article"),
            description=item.get("description") or "", action=item["action"],
            date=datetime.date.fromisoformat(item["date"]) if item.get("date") else None,
            date_precision=item.get("date_precision") or "day",
        )  # fmt: skip
        _saved(charge, user).sources.set(sources_for(item.get("source_urls", [])))
        return charge

    def describe(self, detainee, item):
        article = LegalArticle.objects.select_related("code").filter(pk=item.get("article"))
        article = article.first()
        case = Case.objects.filter(pk=item.get("case")).first()
        return Line(
            str(self.label), "added",
            f"{article or item.get('description', '')}: {Charge.Action(item['action']).label}, "
            f"{_date(item.get('date'), item.get('date_precision'))}",
            details=[(_("case"), str(case or "?"))],
            sources=_source_texts(item.get("source_urls", [])),
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class CorrectChargeArticle(Part):
    """A recorded charge's article, corrected: the charge keeps its history."""

    key, label, model = "correct_charges", gettext_lazy("Article of a charge"), Charge

    def apply(self, detainee, item, user):
        charge = Charge.objects.filter(pk=item["charge"], defendant__detainee=detainee).first()
        article = LegalArticle.objects.filter(pk=item["article"]).first()
        if charge is None or article is None:
            raise _gone()
        charge.article = article
        _saved(charge, user).sources.add(*sources_for(item.get("source_urls", [])))
        return charge

    def describe(self, detainee, item):
        charge = (
            Charge.objects.select_related("article__code", "defendant__case")
            .filter(pk=item.get("charge"), defendant__detainee=detainee)
            .first()
        )
        article = LegalArticle.objects.select_related("code").filter(pk=item.get("article"))
        case = charge.defendant.case if charge else _("no longer recorded")
        return Line(
            str(self.label), "changed", str(article.first() or "?"),
            old=str((charge.article or charge.description) if charge else "—"),
            details=[(_("case"), str(case))],
            sources=_source_texts(item.get("source_urls", [])),
        )  # fmt: skip

    def touched_rows(self, items):
        return (Charge, [item.get("charge") for item in items])


class AddName(Part):
    key, label, model = "add_names", gettext_lazy("Other spelling"), DetaineeName

    def apply(self, detainee, item, user):
        name = DetaineeName(
            detainee=detainee, name=item["name"], script=item.get("script") or "latin",
            kind=item.get("kind") or DetaineeName.Kind.TRANSLITERATION,
            language=item.get("language") or "",
        )  # fmt: skip
        _saved(name, user).sources.set(sources_for(item.get("source_urls", [])))
        return name

    def describe(self, detainee, item):
        details = [(_("script"), str(DetaineeName.Script(item.get("script") or "latin").label))]
        if item.get("kind"):
            details.append((_("kind"), str(DetaineeName.Kind(item["kind"]).label)))
        if item.get("language"):
            details.append((_("language"), item["language"]))
        return Line(
            str(self.label), "added", item["name"], details=details,
            sources=_source_texts(item.get("source_urls", [])),
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class AddOccupation(Part):
    key, label, model = "add_occupations", gettext_lazy("Occupation"), DetaineeOccupation

    def apply(self, detainee, item, user):
        row, _created = DetaineeOccupation.objects.get_or_create(
            detainee=detainee, occupation_id=item["occupation"]
        )
        row.sources.add(*sources_for(item.get("source_urls", [])))
        return row

    def describe(self, detainee, item):
        occupation = Occupation.objects.filter(pk=item.get("occupation")).first()
        return Line(
            str(self.label), "added", str(occupation or "?"),
            sources=_source_texts(item.get("source_urls", [])),
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class AddAffiliation(Part):
    key, label, model = "add_affiliations", gettext_lazy("Affiliation"), Affiliation

    def apply(self, detainee, item, user):
        dates = {
            name: datetime.date.fromisoformat(item[name]) if item.get(name) else None
            for name in ("start", "end")
        }
        affiliation = Affiliation(
            detainee=detainee, organization_id=item["organization"],
            role=item.get("role") or "",
            start_precision=item.get("start_precision") or Precision.YEAR,
            end_precision=item.get("end_precision") or Precision.YEAR, **dates,
        )  # fmt: skip
        _saved(affiliation, user).sources.set(sources_for(item.get("source_urls", [])))
        return affiliation

    def describe(self, detainee, item):
        organization = Organization.objects.filter(pk=item.get("organization")).first()
        details = []
        if item.get("role"):
            details.append((_("role"), item["role"]))
        if item.get("start"):
            details.append((_("from"), _date(item["start"], item.get("start_precision"))))
        if item.get("end"):
            details.append((_("until"), _date(item["end"], item.get("end_precision"))))
        return Line(
            str(self.label), "added", str(organization or "?"), details=details,
            sources=_source_texts(item.get("source_urls", [])),
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class LinkEchr(Part):
    """The person as an applicant in an ECHR application already recorded."""

    key, label, model = "link_echr", gettext_lazy("ECHR application"), EchrApplication

    def apply(self, detainee, item, user):
        application = EchrApplication.objects.filter(pk=item.get("application")).first()
        if application is None:
            raise _gone()
        application.applicants.add(detainee)

    def describe(self, detainee, item):
        application = EchrApplication.objects.filter(pk=item.get("application")).first()
        return Line(str(self.label), "added", str(application or "?"))

    def touched_rows(self, items):
        return None


class UnlinkEchr(Part):
    key, label, model = "unlink_echr", gettext_lazy("ECHR application"), EchrApplication

    def apply(self, detainee, item, user):
        application = EchrApplication.objects.filter(pk=item.get("application")).first()
        if application is None:
            raise _gone()
        application.applicants.remove(detainee)

    def describe(self, detainee, item):
        application = EchrApplication.objects.filter(pk=item.get("application")).first()
        return Line(str(self.label), "removed", str(application or "?"))

    def touched_rows(self, items):
        return None


# The facts a source can be attached to: (model, how to find the person's row, label).
FACTS = {
    "detainee": (Detainee, "pk", gettext_lazy("the entry")),
    "event": (Event, "detainee", gettext_lazy("event")),
    "charge": (Charge, "defendant__detainee", gettext_lazy("charge")),
    "name": (DetaineeName, "detainee", gettext_lazy("other spelling")),
    "occupation": (DetaineeOccupation, "detainee", gettext_lazy("occupation")),
    "affiliation": (Affiliation, "detainee", gettext_lazy("affiliation")),
    "membership": (CaseDefendant, "detainee", gettext_lazy("defendant in a case")),
    "case": (Case, "pk", gettext_lazy("the case")),
}


def fact_row(entry, fact, pk):
    """The entry's row for a fact (`FACTS`), or None: never another entry's. The entry itself
    ("detainee", "case") only when it is one."""
    if fact not in FACTS:
        return None
    model, path, _label = FACTS[fact]
    if path == "pk":
        return entry if isinstance(entry, model) else None
    if not isinstance(entry, Detainee):
        return None
    return model.objects.filter(pk=pk, **{path: entry}).first()


def describe_fact(row, fact):
    if row is None:
        return str(_("no longer recorded"))
    if fact == "event":
        return f"{row.get_kind_display()}, {_date(row.date, row.date_precision)}"
    if fact == "charge":
        return f"{row.article or row.description}: {row.get_action_display()}"
    if fact == "membership":
        return str(row.case)
    if fact == "affiliation":
        return str(row.organization)
    return str(row)


class AddSources(Part):
    """Sources added to a fact of the entry (an event, a charge, a spelling…)."""

    key, label = "add_sources", gettext_lazy("Source")

    def apply(self, detainee, item, user):
        row = fact_row(detainee, item.get("fact"), item.get("id"))
        if row is None:
            raise _gone()
        row.sources.add(*sources_for(item.get("source_urls", [])))

    def describe(self, detainee, item):
        row = fact_row(detainee, item.get("fact"), item.get("id"))
        return Line(
            str(self.label), "added", ", ".join(_source_texts(item.get("source_urls", []))),
            details=[(str(FACTS[item["fact"]][2]), describe_fact(row, item["fact"]))],
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class RemoveSource(Part):
    """A source taken off a fact (with `AddSources` in the same change: a source replaced)."""

    key, label = "remove_sources", gettext_lazy("Source")

    def apply(self, detainee, item, user):
        row = fact_row(detainee, item.get("fact"), item.get("id"))
        if row is None:
            raise _gone()
        row.sources.remove(item.get("source"))

    def describe(self, detainee, item):
        row = fact_row(detainee, item.get("fact"), item.get("id"))
        source = Source.objects.filter(pk=item.get("source")).first()
        return Line(
            str(self.label), "removed", describe_source(source) if source else "?",
            details=[(str(FACTS[item["fact"]][2]), describe_fact(row, item["fact"]))],
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class MergePeople(Part):
    """Another entry about the same person, folded into this one (`merging.merge_person`)."""

    key, label = "merge_people", gettext_lazy("Merged entry")

    def apply(self, detainee, item, user):
        other = Detainee.objects.filter(pk=item.get("detainee")).first()
        if other is None:
            raise _gone()
        merge_person(survivor=detainee, other=other, user=user)

    def describe(self, detainee, item):
        other = Detainee.objects.filter(pk=item.get("detainee")).first()
        if other is None:
            return Line(str(self.label), "added", item.get("text", ""))
        spellings = [other.name, *other.other_names.values_list("name", flat=True)]
        return Line(
            str(self.label), "added", f"{other.name} (#{other.pk}, {other.get_state_display()})",
            details=[
                (_("spellings"), ", ".join(spellings)),
                (_("events"), ", ".join(describe_fact(e, "event") for e in other.events.all())
                 or "—"),
                (_("charges"), ", ".join(
                    describe_fact(c, "charge")
                    for c in Charge.objects.filter(defendant__detainee=other)
                ) or "—"),
            ],
        )  # fmt: skip

    def touched_rows(self, items):
        return None


class RemoveRow(Part):
    """A row of the person recorded in error, taken off: an event, a charge step, a spelling,
    an occupation, an affiliation (`FACTS` names it). Its history keeps it."""

    def __init__(self, key, label, fact):
        self.key, self.label, self.fact = key, label, fact
        self.model = FACTS[fact][0]

    def row(self, detainee, item):
        return fact_row(detainee, self.fact, item.get("id"))

    def apply(self, detainee, item, user):
        row = self.row(detainee, item)
        if row is None:
            raise _gone()
        self.delete(row, user)

    def delete(self, row, user):
        row._history_user = user
        row.delete()

    def describe(self, detainee, item):
        row = self.row(detainee, item)
        text = describe_fact(row, self.fact) if row is not None else item.get("text", "")
        return Line(str(self.label), "removed", text)


class RemoveMembership(RemoveRow):
    """A person named as a defendant in a case by mistake, with their charge steps in it."""

    def delete(self, row, user):
        for charge in row.charges.all():
            super().delete(charge, user)
        super().delete(row, user)

    def describe(self, detainee, item):
        line = super().describe(detainee, item)
        row = self.row(detainee, item)
        if row is not None:
            steps = [describe_fact(c, "charge") for c in row.charges.select_related("article")]
            line.details = [(_("charges"), ", ".join(steps) or "—")]
        return line


PARTS = [
    CorrectEvent(), CorrectChargeArticle(),
    RemoveRow("remove_events", gettext_lazy("Event"), "event"), AddEvent(),
    RemoveRow("remove_charges", gettext_lazy("Charge"), "charge"),
    RemoveMembership("remove_memberships", gettext_lazy("Defendant in a case"), "membership"),
    AddCharge(),
    RemoveRow("remove_names", gettext_lazy("Other spelling"), "name"), AddName(),
    RemoveRow("remove_occupations", gettext_lazy("Occupation"), "occupation"), AddOccupation(),
    RemoveRow("remove_affiliations", gettext_lazy("Affiliation"), "affiliation"),
    AddAffiliation(), UnlinkEchr(), LinkEchr(), RemoveSource(), AddSources(), MergePeople(),
]  # fmt: skip
PARTS_BY_KEY = {part.key: part for part in PARTS}
# What a change to a case may hold besides its fields: sources added to it.
CASE_PARTS = {"add_sources"}


# What a removal names: its part, and the fact (`FACTS`) whose row it takes off.
REMOVALS = {part.key: part.fact for part in PARTS if isinstance(part, RemoveRow)}


def removal(detainee, key, *, id=None, fact="", source=None):
    """The change-set item taking a part off `detainee`, or None when there is no such part of
    this person: a row (`REMOVALS`), an ECHR application they are in, or a source of a fact."""
    if key in REMOVALS:
        row = fact_row(detainee, REMOVALS[key], id)
        return {"id": row.pk, "text": describe_fact(row, REMOVALS[key])} if row else None
    if key == "unlink_echr":
        found = detainee.echr_applications.filter(pk=id).exists()
        return {"application": id} if found else None
    if key == "remove_sources":
        row = fact_row(detainee, fact, id)
        if row is None or not row.sources.filter(pk=source).exists():
            return None
        return {"fact": fact, "id": row.pk, "source": source}
    return None


def describe_part(detainee, key, item):
    return PARTS_BY_KEY[key].describe(detainee, item)


def cited_source(detainee, pk):
    """The source `pk` if a fact of this person cites it (their entry, an event, a charge, a
    spelling…, an ECHR application they are in), else None."""
    cited = [EchrApplication.objects.filter(applicants=detainee).values("sources")]
    for model, path, _label in FACTS.values():
        rows = model.objects.filter(**({"pk": detainee.pk} if path == "pk" else {path: detainee}))
        cited.append(rows.values("sources"))
    query = Source.objects.filter(pk=pk)
    for values in cited:
        if query.filter(pk__in=values).exists():
            return query.get()
    return None


def entry_fields(entry):
    """The entry's own fields a change may set: a person's or a case's."""
    return CASE_FIELDS if isinstance(entry, Case) else DETAINEE_FIELDS


def apply_fields(entry, fields):
    model = type(entry)
    for name, value in fields.items():
        if name not in entry_fields(entry):
            raise ValidationError(_("This change touches a field that cannot be changed here."))
        field = model._meta.get_field(name)
        if value and field.get_internal_type() == "DateField":
            value = datetime.date.fromisoformat(value)
        setattr(entry, field.attname, value)


def field_text(name, value, model=Detainee):
    """An entry's own field's value as people read it: a choice's label, a date, a related
    term's name, a dash for nothing."""
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        value = value.pk if hasattr(value, "pk") else value
        return str(model_field.related_model.objects.filter(pk=value).first() or "—")
    if isinstance(value, str) and model_field.get_internal_type() == "DateField":
        value = datetime.date.fromisoformat(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return format_partial_date(value)
    return str(value)


def describe_fields(entry, fields):
    model, lines = type(entry), []
    for name, value in fields.items():
        field = model._meta.get_field(name)
        old = field_text(name, getattr(entry, field.attname, ""), model)
        label = str(capfirst(field.verbose_name))
        lines.append(Line(label, "changed", field_text(name, value, model), old=old))
    return lines


def describe(entry, data):
    """The readable lines of a change set, in the order they are applied."""
    lines = describe_fields(entry, data.get("fields", {}))
    for part in PARTS:
        lines.extend(part.describe(entry, item) for item in data.get(part.key, []))
    return lines


def merge(data, more):
    """Two change sets as one: `more`'s field values win, its parts follow `data`'s."""
    merged = {key: list(value) for key, value in data.items() if key != "fields"}
    if data.get("fields") or more.get("fields"):
        merged["fields"] = {**data.get("fields", {}), **more.get("fields", {})}
    for key, value in more.items():
        if key != "fields":
            merged.setdefault(key, []).extend(value)
    return merged
