"""The timeline import: one row per procedural event, for new people and people already recorded.

A person's whole record arrives as rows (detention, remand, extension, charges brought, added and
dropped, house arrest, release, verdict with its sentence, appeal, pardon, transfer...), each with
its date at the precision it is known to, court, place of detention and sources. The same file
format as the arrest import (CSV or XLSX, read by `imports.read_rows`), checked in a dry run
(`check_file`, which writes nothing) and written all or nothing (`apply`).

Who a row is about (the `person` column):
- the page address or the slug of an entry the importer may see: that entry. A published entry
  gets one pending change per person (a moderator approves it, with its diff); a draft is changed
  at once;
- otherwise a name: a new draft person, one per name however many rows give it. A name that
  matches someone already recorded, in any spelling, is refused until the importer writes that
  entry's address or slug instead: a person is never chosen silently by name. A name this same
  import created (its creation record says so) is that person again.
Rows already recorded (same kind and date, or the same charge step) are unchanged, so importing
the same file twice changes nothing.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import addresses, services
from .exports import csv_rows
from .forms import SourceUrlsField
from .imports import (
    DATE_RE,
    FileError,
    ImportRefused,
    Proposals,
    Result,
    Row,
    _Terms,
    check_cells,
    find_articles,
    lookup_term,
    read_rows,
    with_proposed_terms,
)
from .models import (
    CaseDefendant,
    Charge,
    Court,
    Detainee,
    Event,
    Facility,
    LegalArticle,
    PendingChange,
    Precision,
    SentenceKind,
    State,
    derive_timeline,
)
from .text import search_key

REASON = "Imported from a timeline file"
COLUMNS = [
    "person", "event", "date", "case", "articles", "court", "facility", "term", "sentence",
    "description", "source_urls", "notes",
]  # fmt: skip
REQUIRED = ["person", "event", "date", "source_urls"]
K, A = Event.Kind, Charge.Action
# The event column: an event of the timeline, a step of the charges, or both (a verdict with
# the articles it convicted under).
EVENTS = {
    "detention": (K.DETENTION, None), "remand": (K.REMAND, None),
    "extension": (K.REMAND_EXTENSION, None), "remand_extension": (K.REMAND_EXTENSION, None),
    "house_arrest": (K.HOUSE_ARREST, None), "police_supervision": (K.POLICE_SUPERVISION, None),
    "travel_ban": (K.TRAVEL_BAN, None), "indictment": (K.INDICTMENT, A.BROUGHT),
    "trial_start": (K.TRIAL_START, None), "court_ruling": (K.COURT_RULING, None),
    "prosecutor_demand": (K.PROSECUTOR_DEMAND, None), "verdict": (K.VERDICT, A.CONVICTED),
    "appeal": (K.APPEAL, None), "cassation": (K.CASSATION, None), "pardon": (K.PARDON, None),
    "release": (K.RELEASE, None), "transfer": (K.TRANSFER, None), "exile": (K.EXILE, None),
    "death": (K.DEATH, None), "other": (K.OTHER, None), "summons": (K.SUMMONS, None),
    "search": (K.SEARCH, None), "fine": (K.FINE, None),
    "pressure_on_relatives": (K.PRESSURE_ON_RELATIVES, None),
    "charge_brought": (None, A.BROUGHT), "charge_added": (None, A.ADDED),
    "charge_dropped": (None, A.DROPPED), "charge_requalified": (None, A.REQUALIFIED),
    "convicted": (None, A.CONVICTED), "acquitted": (None, A.ACQUITTED),
}  # fmt: skip
COLUMN_HELP = {
    "person": (
        "The person's page address or slug, for someone already recorded; otherwise their name "
        "in Latin script (a new draft person; the same name on several rows is one person)"
    ),
    "event": "One of: " + ", ".join(EVENTS),
    "date": "YYYY-MM-DD, YYYY-MM or YYYY: the date at the precision the source gives",
    "case": (
        "A case's slug or name; a new name opens a new draft case; empty with articles: the "
        "person's individual proceeding"
    ),
    "articles": "Article numbers separated by commas, e.g. 206.3.2, 193-1.3.1",
    "court": "A court's slug or any of its names",
    "facility": "A place of detention's slug or any of its names",
    "term": "A term ordered by the court: 3m, 3m28d, 45d (remand, extension, house arrest)",
    "sentence": (
        "A verdict's, appeal's or prosecutor's sentence: imprisonment 5y6m, life, suspended "
        "3y, restriction 2y, correctional_labour 1y, fine, acquittal"
    ),
    "description": "What happened (public)",
    "source_urls": "Source URLs separated by | (at least one)",
    "notes": "Staff only: never public",
}
TERM_RE = re.compile(r"^(?:(\d{1,3})\s*m)?\s*(?:(\d{1,3})\s*d)?$")
SENTENCE_RE = re.compile(r"^([a-z_]+)(?:\s+(?:(\d{1,2})\s*y)?\s*(?:(\d{1,2})\s*m)?)?$")


def template_csv():
    """The template: the header and a fictional person's timeline that uses every column."""
    src = "https://news.example.org/report"
    rows = [
        ["Testname Example Person", "detention", "2025-03-14", "Example case", "", "", "", "",
         "", "Detained at home.", src, ""],
        ["Testname Example Person", "remand", "2025-03-15", "Example case", "", "", "",
         "3m28d", "", "Remanded in custody.", src, ""],
        ["Testname Example Person", "charge_brought", "2025-03-15", "Example case", "206.3.2",
         "", "", "", "", "", src, ""],
        ["Testname Example Person", "charge_dropped", "2025-05", "Example case", "206.3.2", "",
         "", "", "", "", src, "Staff only note"],
        ["Testname Example Person", "verdict", "2025", "Example case", "", "", "", "",
         "imprisonment 5y6m", "Sentenced.", src, ""],
    ]  # fmt: skip
    return "".join(csv_rows(COLUMNS, rows))


@dataclass
class Person:
    """The people a file is about: an entry already recorded, or a new one by name."""

    key: str
    name: str
    target: Detainee | None = None
    rows: list = field(default_factory=list)


def _parse_date(text):
    match = DATE_RE.match(text)
    if not match:
        return None, None
    year, month, day = match.groups()
    try:
        if day:
            return datetime.date(int(year), int(month), int(day)), Precision.DAY
        if month:
            return datetime.date(int(year), int(month), 1), Precision.MONTH
        return datetime.date(int(year), 1, 1), Precision.YEAR
    except ValueError:
        return None, None


class _Context:
    def __init__(self, user, proposals=None):
        from .workspace import _cases_for

        self.user, self.proposals = user, proposals
        self.visible = Detainee.objects.visible_to(user).exclude(state=State.RETRACTED)
        self.courts = _Terms(Court.objects.all())
        self.facilities = _Terms(Facility.objects.all())
        self.cases = {}
        for case in _cases_for(user):
            self.cases.setdefault(case.name.casefold().strip(), case)
            self.cases[case.slug] = case
        self.articles = {}
        for article in LegalArticle.objects.select_related("code"):
            self.articles.setdefault(article.number, []).append(article)
        self.people = {}  # key -> Person
        created = Detainee.history.filter(history_type="+", history_change_reason=REASON)
        self.imported = {
            search_key(name): pk
            for pk, name in self.visible.filter(pk__in=created.values("id")).values_list(
                "pk", "name"
            )
        }

    def person(self, row, text):
        """The Person a row is about, or None after an error on the row."""
        slug = addresses.slug_in(text, "detainees")
        if slug:
            target = self.visible.filter(slug=slug).first()
            if target is not None:
                return self.people.setdefault(
                    f"pk:{target.pk}", Person(f"pk:{target.pk}", target.name, target)
                )
            if "/" in text:
                row.error("person", _("No entry you may see has this address."))
                return None
        key = search_key(text)
        if not key:
            row.error("person", _("Give the person's name, page address or slug."))
            return None
        if key in self.imported:
            target = self.visible.get(pk=self.imported[key])
            return self.people.setdefault(
                f"pk:{target.pk}", Person(f"pk:{target.pk}", target.name, target)
            )
        if f"name:{key}" not in self.people:
            matches = list(self.visible.matching_name(text)[:3])
            if matches:
                row.error(
                    "person",
                    _(
                        "“%(name)s” may be someone already recorded (%(who)s): write that entry's "
                        "address or slug in this column to add to it, or change the name."
                    )
                    % {"name": text[:80], "who": "; ".join(f"{d.name}, {d.slug}" for d in matches)},
                )
                return None
        return self.people.setdefault(f"name:{key}", Person(f"name:{key}", text.strip()))


def _check_row(row, ctx):
    values = row.values
    if not check_cells(row):
        return
    for column in REQUIRED:
        if not values.get(column):
            row.error(column, _("Required."))
    kind, action = EVENTS.get(values.get("event", "").strip().casefold(), (None, None))
    if values.get("event") and kind is None and action is None:
        row.error("event", _("Unknown event “%(value)s”: use one of %(known)s.") % {
            "value": values["event"][:40], "known": ", ".join(EVENTS),
        })  # fmt: skip
    date, precision = _parse_date(values.get("date", ""))
    if values.get("date") and date is None:
        row.error("date", _("Write the date as YYYY-MM-DD, YYYY-MM or YYYY."))
    data = {"kind": kind, "action": action, "date": date, "precision": precision}
    data["court"] = lookup_term(row, ctx.courts, "court", _("court"), ctx.proposals)
    data["facility"] = lookup_term(
        row, ctx.facilities, "facility", _("place of detention"), ctx.proposals
    )
    case_text = values.get("case", "").strip()
    data["case"] = ctx.cases.get(case_text) or ctx.cases.get(case_text.casefold())
    data["new_case"] = case_text if case_text and data["case"] is None else ""
    data["articles"] = find_articles(row, ctx.articles, values.get("articles", ""), ctx.proposals)
    if action and not values.get("articles", "").strip() and kind is None:
        row.error("articles", _("A step of the charges needs the articles it concerns."))
    if values.get("articles", "").strip() and action is None:
        row.error("articles", _("Only a step of the charges, an indictment or a verdict has "
                                "articles."))  # fmt: skip
    data["term"] = _term_length(row, values.get("term", ""), kind)
    data["sentence"] = _sentence(row, values.get("sentence", ""), kind)
    if data["sentence"] and data["sentence"][0] == SentenceKind.ACQUITTAL and action:
        data["action"] = A.ACQUITTED
    try:
        data["source_urls"] = SourceUrlsField().clean(
            "\n".join(values.get("source_urls", "").split("|"))
        )
    except Exception as exc:
        row.error("source_urls", " ".join(getattr(exc, "messages", [str(exc)])))
    data["description"] = values.get("description", "").strip()
    data["notes"] = values.get("notes", "").strip()
    row.data = data
    person = ctx.person(row, values.get("person", "").strip()) if values.get("person") else None
    if person is not None and not row.errors:
        person.rows.append(row)


def _term_length(row, text, kind):
    text = text.strip().casefold()
    if not text:
        return None
    match = TERM_RE.match(text.replace(" ", ""))
    if not match or not any(match.groups()):
        row.error("term", _("Write the term like 3m, 3m28d or 45d."))
        return None
    if kind not in Event.TERM_KINDS:
        row.error("term", _("Only a remand, an extension, house arrest, police supervision or a "
                            "travel ban has a term."))  # fmt: skip
        return None
    months, days = (int(g) if g else None for g in match.groups())
    if days is not None and days > 366:
        row.error("term", _("Write a term over a year in months."))
        return None
    return months, days


def _sentence(row, text, kind):
    text = text.strip().casefold()
    if not text:
        return None
    match = SENTENCE_RE.match(text)
    kinds = {k.value for k in SentenceKind}
    if not match or match.group(1) not in kinds:
        row.error("sentence", _("Write the sentence like “imprisonment 5y6m”, with one of: "
                                "%(kinds)s.") % {"kinds": ", ".join(sorted(kinds))})  # fmt: skip
        return None
    if kind not in Event.SENTENCE_KINDS:
        row.error("sentence", _("Only a verdict, an appeal, a cassation or a prosecutor's demand "
                                "carries a sentence."))  # fmt: skip
        return None
    years, months = (int(g) if g else None for g in match.groups()[1:])
    if months is not None and months > 11:
        row.error("sentence", _("Write 12 months or more as years: 1y6m."))
        return None
    return match.group(1), years, months


def _event_key(kind, date, precision):
    return (str(kind), date.isoformat(), str(precision))


def _check_person(person, ctx):
    """Mark rows already recorded as unchanged, and check the person's whole timeline."""
    target = person.target
    events, charges, waiting = set(), set(), set()
    recorded = []
    if target is not None:
        recorded = list(target.events.all())
        events = {_event_key(e.kind, e.date, e.date_precision) for e in recorded}
        charges = {
            (c.defendant.case_id, c.article_id, c.action, c.date and c.date.isoformat())
            for c in Charge.objects.filter(defendant__detainee=target).select_related("defendant")
        }
        # What already waits for review counts as recorded: importing again adds nothing.
        for change in PendingChange.objects.filter(
            detainee=target, state=PendingChange.State.PENDING
        ):
            for event in change.data.get("add_events", []):
                waiting.add((event["kind"], event["date"], event["date_precision"]))
            for charge in change.data.get("add_charges", []):
                charges.add((charge["case"], charge["article"], charge["action"], charge["date"]))
    individual = (
        CaseDefendant.objects.filter(detainee=target, case__individual=True)
        .values_list("case_id", flat=True)
        .first()
        if target is not None
        else None
    )
    new_events = []
    for row in person.rows:
        data = row.data
        key = _event_key(data["kind"], data["date"], data["precision"]) if data["kind"] else None
        case_id = data["case"].pk if data["case"] else None
        if case_id is None and not data["new_case"]:
            case_id = individual
        charge_keys = {
            (case_id, a.pk, data["action"], data["date"].isoformat()) for a in data["articles"]
        }
        event_known = key is None or key in events or key in waiting
        charges_known = charge_keys <= charges
        if event_known and charges_known:
            row.action = Row.UNCHANGED
            row.details.append(_("Already recorded."))
            continue
        row.action = Row.UPDATE if target is not None else Row.CREATE
        if key is not None and not event_known:
            new_events.append(Event(kind=data["kind"], date=data["date"],
                                    date_precision=data["precision"]))  # fmt: skip
    problems = derive_timeline([*recorded, *new_events]).problems
    if problems:
        for row in person.rows:
            if row.action in (Row.CREATE, Row.UPDATE):
                row.error("date", " ".join(str(p) for p in problems))
                break


def check_file(content, *, user, filename="", propose=False):
    """The dry run: every row checked and classified; nothing is written. With `propose`, new
    vocabulary is proposed rather than refused (`imports.Proposals`)."""
    try:
        _header, records = read_rows(content, filename, columns=COLUMNS, required=REQUIRED)
    except FileError as exc:
        return Result(rows=[], file_errors=[str(exc)]), {}
    proposals = Proposals() if propose else None
    ctx = _Context(user, proposals)
    rows = []
    for number, values in records:
        row = Row(number=number, values=values)
        _check_row(row, ctx)
        rows.append(row)
    if not rows:
        return Result(rows=[], file_errors=[_("The file has a header but no rows.")]), {}
    for person in ctx.people.values():
        _check_person(person, ctx)
    return Result(rows=rows, proposals=proposals or Proposals()), ctx.people


def apply(content, *, user, filename="", propose=False):
    """Check the file again and write it, all or nothing; raises ImportRefused on any problem.
    With `propose`, the new vocabulary it proposes is written first (`with_proposed_terms`)."""
    result, checked = None, {}

    def check(propose):
        result, checked["people"] = check_file(
            content, user=user, filename=filename, propose=propose
        )
        return result

    try:
        with transaction.atomic():
            result = with_proposed_terms(check, user=user, propose=propose)
            people = checked["people"]
            if result.has_errors:
                raise ImportRefused(result, _("Nothing was imported: the file has errors."))
            cases = {}
            for person in people.values():
                _write_person(person, user, cases)
    except IntegrityError as exc:
        raise ImportRefused(
            result,
            _("Nothing was imported: the database refused the data (%(rule)s).")
            % {"rule": str(exc).splitlines()[0][:200]},
        ) from None
    return result


def _write_person(person, user, cases):
    rows = [r for r in person.rows if r.action in (Row.CREATE, Row.UPDATE)]
    if not rows:
        return
    target = person.target
    if target is None:
        urls = list(dict.fromkeys(u for r in rows for u in r.data["source_urls"]))
        target = services.create_person(
            author=user, name=person.name, source_urls=urls, reason=REASON
        )
    individual = None
    events, charges, seen = [], [], set()
    # The file's descriptions are in the language of the page or command that imports it.
    description = f"description_{(get_language() or 'en').split('-')[0]}"
    for row in rows:
        data = row.data
        case = data["case"]
        if case is None and data["new_case"]:
            key = data["new_case"].casefold()
            if key not in cases:
                cases[key] = services.draft_case(author=user, name=data["new_case"])
            case = cases[key]
        if case is None and data["articles"]:
            if individual is None:
                membership = CaseDefendant.objects.filter(
                    detainee=target, case__individual=True
                ).first()
                individual = (
                    membership.case
                    if membership
                    else services.draft_case(author=user, individual_for=target.name)
                )
            case = individual
        date = data["date"].isoformat()
        key = _event_key(data["kind"], data["date"], data["precision"]) if data["kind"] else None
        if key is not None and key not in seen:
            seen.add(key)
            term = data["term"] or (None, None)
            sentence = data["sentence"] or ("", None, None)
            events.append({
                "kind": str(data["kind"]), "date": date, "date_precision": str(data["precision"]),
                "court": data["court"].pk if data["court"] else None,
                "facility": data["facility"].pk if data["facility"] else None,
                "case": case.pk if case else None, description: data["description"],
                "term_months": term[0], "term_days": term[1], "sentence_kind": sentence[0],
                "sentence_years": sentence[1], "sentence_months": sentence[2],
                "internal_note": data["notes"], "source_urls": data["source_urls"],
            })  # fmt: skip
        for article in data["articles"]:
            charges.append({
                "case": case.pk, "article": article.pk, "description": "",
                "action": str(data["action"]), "date": date,
                "date_precision": str(data["precision"]), "source_urls": data["source_urls"],
            })  # fmt: skip
    lines = ", ".join(str(r.number) for r in rows)
    services.change_entry(
        detainee=target,
        author=user,
        data={"add_events": events, "add_charges": charges},
        summary=_("Timeline from a file (rows %(rows)s)") % {"rows": lines},
    )
    for row in rows:
        row.target = target.pk
