"""Data out: the rows of the CSV export and of the open-data dump, and their data dictionary.

Each table has a record builder that returns plain values (str, int, bool, list or None) for
published entries and public fields only. `csv_lines()` writes records for spreadsheets
(formula-safe, UTF-8 with a byte order mark, lists joined with " | "); the dump writes the same
records as JSON. Rows are read a chunk at a time with `iterator(chunk_size=...)`: the detainees
with seven queries of plain values per chunk for their multi-valued columns, the dump's other
tables with prefetches. Memory holds one chunk of rows, never the whole table.
"""

import csv
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass
from itertools import batched

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import F, Prefetch, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import (
    Affiliation,
    CaseDefendant,
    Charge,
    Detainee,
    DetaineeName,
    EchrApplication,
    Event,
    ExecutionGroup,
    Precision,
    Source,
    State,
    localized,
)
from .models import Case as CaseModel

CHUNK_SIZE = 2000
ROWS_PER_WRITE = 500
LIST_SEPARATOR = " | "
# OWASP, CSV injection: a spreadsheet may run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


# --- The data dictionary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: dict

    @property
    def filename(self):
        return f"{self.name}.csv"


SOURCE_URLS = _(
    "URLs of the public sources cited for this row, separated by ' | '. Confidential sources "
    "are never included."
)
NOTES = [
    _(
        "Only published entries and public fields: no draft, retracted entry, internal note, "
        "contact or confidential source is ever included."
    ),
    _(
        "CSV files are UTF-8 with a byte order mark (so that spreadsheets read Azerbaijani and "
        "Cyrillic letters), comma-separated, with a header row of the column names below."
    ),
    _("A cell holding several values separates them with ' | ' (space, vertical bar, space)."),
    _(
        "A partial date is written at the precision it is known to: 2024-04-29 (known to the "
        "day), 2024-04 (to the month) or 2024 (to the year)."
    ),
    _(
        "A CSV cell that would start with =, +, -, @, a tab or a carriage return starts with an "
        "apostrophe instead, so that a spreadsheet cannot run it as a formula; remove that "
        "apostrophe to read the value. The JSON file holds the values unchanged."
    ),
    _("An empty cell (null in JSON) means unknown or not applicable."),
]

DETAINEES = Table(
    "detainees",
    _(
        "One row per published detainee: the rows of the listing's CSV export "
        "(/detainees/export.csv), under the same filters."
    ),
    {
        "url": _("The person's page on this site: a permanent link."),
        "slug": _("The person's permanent identifier, the last part of the page URL."),
        "name": _("Display name in Latin script."),
        "other_names": _(
            "Other spellings and scripts of the name (Azerbaijani, Cyrillic, former names), "
            "separated by ' | '."
        ),
        "gender": _("female, male, other or unknown."),
        "born": _("Date of birth (a partial date)."),
        "status": _(
            "Current status, derived from the timeline: pre_trial, house_arrest, "
            "police_supervision, on_trial, imprisoned, released, pardoned, in_absentia, exile, "
            "died_in_custody, died, travel_ban or unknown."
        ),
        "status_since": _("When the current status took effect (a partial date)."),
        "first_detained_on": _("First detention (a partial date)."),
        "last_detained_on": _("Latest detention (a partial date)."),
        "in_custody_since": _(
            "Start of the current custody (a partial date); empty when not held now."
        ),
        "released_on": _("Latest release (a partial date); empty while held or never released."),
        "days_in_custody": _(
            "Days in custody over every period, counted up to the day of the export."
        ),
        "sentence_kind": _(
            "Current sentence: imprisonment, life, suspended, restriction, "
            "correctional_labour, fine or acquittal; empty when none."
        ),
        "sentence_months": _("Length of the current sentence in months; empty when none."),
        "occupations": _("Occupations, separated by ' | '."),
        "organizations": _("Organizations the person is affiliated with, separated by ' | '."),
        "cases": _("Names of the published cases the person is a defendant in."),
        "articles": _(
            "Legal articles the person has been charged under in those cases, as code and "
            "number (e.g. CC 206.3.2), including charges later dropped; the history of each "
            "charge is in charges.csv."
        ),
        "echr_applications": _(
            "Numbers of the person's applications to the European Court of Human Rights."
        ),
        "updated_at": _("When the entry was last updated (ISO 8601, UTC)."),
        "source_urls": _(
            "URLs of the public sources for the person's identity and biography, separated by "
            "' | '; each event and charge cites its own (events.csv, charges.csv). "
            "Confidential sources are never included."
        ),
    },
)
EVENTS = Table(
    "events",
    _("The timelines of published detainees: one row per event."),
    {
        "detainee": _("The person's slug (detainees.csv)."),
        "date": _("Date of the event (a partial date)."),
        "kind": _(
            "detention, remand, remand_extension, house_arrest, police_supervision, indictment, "
            "trial_start, court_ruling, prosecutor_demand, verdict, appeal, cassation, pardon, "
            "release, transfer, hunger_strike, ill_treatment, travel_ban, exile, death or other."
        ),
        "case": _("Slug of the published case the event belongs to (cases.csv); may be empty."),
        "court": _("The court, when one is named."),
        "facility": _("The place of detention, when one is named."),
        "description": _("What happened, in a few words."),
        "term_months": _("Term ordered by the court (remand, house arrest...), months."),
        "term_days": _("Term ordered by the court, days (in addition to the months)."),
        "sentence_kind": _("Sentence given or demanded (see detainees.csv), if any."),
        "sentence_years": _("Sentence length, years."),
        "sentence_months": _("Sentence length, months (in addition to the years)."),
        "in_absentia": _("true when the sentence was given in absentia."),
        "source_urls": SOURCE_URLS,
    },
)
CHARGES = Table(
    "charges",
    _(
        "Charge histories of published detainees in published cases: one row per dated step "
        "(brought, added, requalified, dropped, convicted, acquitted); rows are never "
        "overwritten."
    ),
    {
        "detainee": _("The person's slug (detainees.csv)."),
        "case": _("The case's slug (cases.csv)."),
        "code": _("Short name of the legal code, e.g. CC."),
        "article": _("Article number, e.g. 206.3.2; empty when the source names no article."),
        "article_title": _("The article's title."),
        "description": _("The offence in words, when no article is given."),
        "action": _("brought, added, requalified, dropped, convicted or acquitted."),
        "date": _("Date of the step (a partial date); empty when unknown."),
        "requalified_from": _("For a requalification: the earlier article number."),
        "source_urls": SOURCE_URLS,
    },
)
CASES = Table(
    "cases",
    _("Published cases: one row per case."),
    {
        "url": _("The case's page on this site."),
        "slug": _("The case's permanent identifier."),
        "name": _("Name of the case."),
        "parent": _("Slug of the published case this one was split off from."),
        "investigating_body": _("The investigating body."),
        "court": _("The trial court."),
        "case_number": _("The court's or investigator's case number."),
        "opened_on": _("When the case was opened (a partial date)."),
        "description": _("A short description."),
        "defendants": _("Slugs of the published defendants, separated by ' | '."),
        "updated_at": _("When the entry was last updated (ISO 8601, UTC)."),
        "source_urls": SOURCE_URLS,
    },
)
ECHR_APPLICATIONS = Table(
    "echr_applications",
    _("Applications to the European Court of Human Rights: one row per application."),
    {
        "number": _("Application number, e.g. 47145/14."),
        "title": _("Title, e.g. Mammadli v. Azerbaijan."),
        "applicants": _("Slugs of the published detainees who applied, separated by ' | '."),
        "lodged_on": _("When it was lodged (YYYY-MM-DD)."),
        "communicated_on": _("When it was communicated to the government (YYYY-MM-DD)."),
        "judgment_on": _("Date of the judgment (YYYY-MM-DD)."),
        "final_on": _("When the judgment became final (YYYY-MM-DD)."),
        "violations": _("Convention articles found violated, e.g. 5§1 | 18+5."),
        "hudoc_url": _("The judgment on HUDOC, or a HUDOC search for the number."),
        "group": _("Slug of the execution group supervising the judgment (execution_groups.csv)."),
        "source_urls": SOURCE_URLS,
    },
)
EXECUTION_GROUPS = Table(
    "execution_groups",
    _(
        "Groups of judgments whose execution the Committee of Ministers supervises: one row "
        "per group."
    ),
    {
        "url": _("The group's page on this site."),
        "slug": _("The group's permanent identifier."),
        "name": _("Name of the group, e.g. Mammadli group."),
        "former_name": _("An earlier name of the group."),
        "supervision": _("standard, enhanced or closed."),
        "lead_application": _("Number of the lead case's application."),
        "description": _("A short description."),
        "applications": _("Numbers of the group's applications, separated by ' | '."),
        "source_urls": SOURCE_URLS,
    },
)
TABLES = [DETAINEES, EVENTS, CHARGES, CASES, ECHR_APPLICATIONS, EXECUTION_GROUPS]


# --- Values -----------------------------------------------------------------------------------


def partial_iso(value, precision=Precision.DAY):
    """ISO 8601 at the precision the date is known to: 2024-04-29, 2024-04 or 2024."""
    if value is None:
        return None
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def iso_date(value):
    return value.isoformat() if value else None


def timestamp(value):
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds") if value else None


def source_urls(obj):
    """The public sources prefetched into `public_sources`; an object without them fails."""
    return [source.url for source in obj.public_sources if source.url]


# A total order, so that two dumps of the same data are identical.
SOURCE_ORDER = ["-source__published_on", "source__title", "source__url", "source__pk"]


def _public_sources():
    order = [field.replace("source__", "") for field in SOURCE_ORDER]
    public = Source.objects.public().order_by(*order)
    return Prefetch("sources", queryset=public, to_attr="public_sources")


def _page_url(base_url, viewname):
    """slug -> absolute URL of a page, with one reverse() for all rows rather than one per row."""
    marker = "slug-marker"
    head, tail = reverse(viewname, args=[marker]).split(marker)
    return lambda slug: f"{base_url}{head}{slug}{tail}"


def _chunked(queryset, chunk_size):
    return queryset.iterator(chunk_size=chunk_size or CHUNK_SIZE)


# --- Records ----------------------------------------------------------------------------------


DETAINEE_FIELDS = [
    "pk", "slug", "name", "gender", "born", "born_precision", "status", "status_since",
    "status_since_precision", "first_detained_on", "first_detained_on_precision",
    "last_detained_on", "last_detained_on_precision", "in_custody_since",
    "in_custody_since_precision", "released_on", "released_on_precision", "custody_days_closed",
    "sentence_kind",
    "sentence_months", "updated_at",
]  # fmt: skip


def _id_list(ids):
    """`ids` as the right-hand side of an __in lookup, sent as one parameter.

    A 2,000-item IN list cost more to build and send, item by item, than the query took to run.
    """
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(list(ids)),))


def _grouped(rows):
    """(detainee id, value) rows -> {detainee id: [values]}, in the rows' order, each once."""
    groups = defaultdict(dict)
    for pk, value in rows:
        if value is not None:
            groups[pk][value] = None
    return {pk: list(values) for pk, values in groups.items()}


def _related_values(ids):
    """The multi-valued columns of a chunk of detainees: seven queries, whatever the chunk.

    Plain values rather than prefetched model instances: a prefetched reverse relation points
    back at its detainee, and those reference cycles wait for the garbage collector, so memory
    grew with the rows (and building the instances cost most of the time).
    """
    chunk = _id_list(ids)
    published = {"case__state": State.PUBLISHED}
    occupations = Detainee.occupations.through.objects
    applications = EchrApplication.applicants.through.objects
    return {
        "other_names": _grouped(
            DetaineeName.objects.filter(detainee_id__in=chunk)
            .order_by("detainee_id", "pk")
            .values_list("detainee_id", "name")
        ),
        "occupations": _grouped(
            occupations.filter(detainee_id__in=chunk)
            .annotate(label=localized("occupation__name"))
            .order_by("detainee_id", "label", "occupation__slug")
            .values_list("detainee_id", "label")
        ),
        "organizations": _grouped(
            Affiliation.objects.filter(detainee_id__in=chunk)
            .annotate(label=localized("organization__name"))
            .order_by("detainee_id", "label", "organization__slug")
            .values_list("detainee_id", "label")
        ),
        "cases": _grouped(
            CaseDefendant.objects.filter(detainee_id__in=chunk, **published)
            .annotate(label=localized("case__name"))
            .order_by("detainee_id", "label", "case__slug")
            .values_list("detainee_id", "label")
        ),
        "articles": _grouped(
            Charge.objects.filter(
                defendant__detainee_id__in=chunk,
                defendant__case__state=State.PUBLISHED,
                article__isnull=False,
            )
            .annotate(label=Concat("article__code__short_name", Value(" "), "article__number"))
            .order_by("defendant__detainee_id", "article__code__short_name", "article__sort_key")
            .values_list("defendant__detainee_id", "label")
        ),
        "echr_applications": _grouped(
            applications.filter(detainee_id__in=chunk)
            .order_by("detainee_id", "echrapplication__number")
            .values_list("detainee_id", "echrapplication__number")
        ),
        "source_urls": _grouped(
            Detainee.sources.through.objects.filter(
                detainee_id__in=chunk, source__confidential=False
            )
            .exclude(source__url="")
            .order_by("detainee_id", *SOURCE_ORDER)
            .values_list("detainee_id", "source__url")
        ),
    }


def detainee_record(row, related, *, page_url, today):
    """One detainee's record from its `row` of values and its chunk's `related` values."""
    pk = row["pk"]
    days = row["custody_days_closed"]
    if row["in_custody_since"]:
        days += (today - row["in_custody_since"]).days
    return {
        "url": page_url(row["slug"]),
        "slug": row["slug"],
        "name": row["name"],
        "other_names": related["other_names"].get(pk, []),
        "gender": row["gender"],
        "born": partial_iso(row["born"], row["born_precision"]),
        "status": row["status"],
        "status_since": partial_iso(row["status_since"], row["status_since_precision"]),
        "first_detained_on": partial_iso(
            row["first_detained_on"], row["first_detained_on_precision"]
        ),
        "last_detained_on": partial_iso(row["last_detained_on"], row["last_detained_on_precision"]),
        "in_custody_since": partial_iso(row["in_custody_since"], row["in_custody_since_precision"]),
        "released_on": partial_iso(row["released_on"], row["released_on_precision"]),
        "days_in_custody": days,
        "sentence_kind": row["sentence_kind"] or None,
        "sentence_months": row["sentence_months"],
        "occupations": related["occupations"].get(pk, []),
        "organizations": related["organizations"].get(pk, []),
        "cases": related["cases"].get(pk, []),
        "articles": related["articles"].get(pk, []),
        "echr_applications": related["echr_applications"].get(pk, []),
        "updated_at": timestamp(row["updated_at"]),
        "source_urls": related["source_urls"].get(pk, []),
    }


def detainee_records(queryset, *, base_url, today=None, chunk_size=None):
    """Records of `queryset`'s detainees, in its order; the caller filters it (published).

    One query reads the rows a chunk at a time; each chunk adds seven queries for its
    multi-valued columns. Memory holds one chunk.
    """
    today = today or timezone.localdate()
    page_url = _page_url(base_url, "cases:detainee-detail")
    chunk_size = chunk_size or CHUNK_SIZE
    rows = queryset.values(*DETAINEE_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in batched(rows, chunk_size):
        related = _related_values([row["pk"] for row in chunk])
        for row in chunk:
            yield detainee_record(row, related, page_url=page_url, today=today)


def event_records(*, chunk_size=None):
    events = (
        Event.objects.filter(detainee__state=State.PUBLISHED)
        .select_related("court", "facility")
        .annotate(
            detainee_slug=F("detainee__slug"),
            case_slug=SqlCase(
                When(case__state=State.PUBLISHED, then=F("case__slug")), default=Value("")
            ),
        )
        .prefetch_related(_public_sources())
        .order_by("detainee__slug", "date", "pk")
    )
    for event in _chunked(events, chunk_size):
        yield {
            "detainee": event.detainee_slug,
            "date": partial_iso(event.date, event.date_precision),
            "kind": event.kind,
            "case": event.case_slug or None,
            "court": event.court.name if event.court else None,
            "facility": event.facility.name if event.facility else None,
            "description": event.description or None,
            "term_months": event.term_months,
            "term_days": event.term_days,
            "sentence_kind": event.sentence_kind or None,
            "sentence_years": event.sentence_years,
            "sentence_months": event.sentence_months,
            "in_absentia": event.in_absentia,
            "source_urls": source_urls(event),
        }


def charge_records(*, chunk_size=None):
    charges = (
        Charge.objects.filter(
            defendant__detainee__state=State.PUBLISHED, defendant__case__state=State.PUBLISHED
        )
        .select_related("article__code", "requalified_from")
        .annotate(
            detainee_slug=F("defendant__detainee__slug"), case_slug=F("defendant__case__slug")
        )
        .prefetch_related(_public_sources())
        .order_by(
            "defendant__detainee__slug", "defendant__case__slug", F("date").asc(nulls_last=True),
            "pk",
        )
    )  # fmt: skip
    for charge in _chunked(charges, chunk_size):
        article = charge.article
        yield {
            "detainee": charge.detainee_slug,
            "case": charge.case_slug,
            "code": article.code.short_name if article else None,
            "article": article.number if article else None,
            "article_title": (article.title or None) if article else None,
            "description": charge.description or None,
            "action": charge.action,
            "date": partial_iso(charge.date, charge.date_precision),
            "requalified_from": charge.requalified_from.number if charge.requalified_from else None,
            "source_urls": source_urls(charge),
        }


def case_records(*, base_url, chunk_size=None):
    page_url = _page_url(base_url, "cases:case-detail")
    defendants = Detainee.objects.published().order_by("slug").only("slug")
    cases = (
        CaseModel.objects.published()
        .select_related("parent", "court")
        .prefetch_related(
            Prefetch("defendants", queryset=defendants, to_attr="published_defendants"),
            _public_sources(),
        )
        .order_by("slug")
    )
    for case in _chunked(cases, chunk_size):
        parent = case.parent
        yield {
            "url": page_url(case.slug),
            "slug": case.slug,
            "name": case.name,
            "parent": parent.slug if parent and parent.is_public else None,
            "investigating_body": case.investigating_body or None,
            "court": case.court.name if case.court else None,
            "case_number": case.case_number or None,
            "opened_on": partial_iso(case.opened_on, case.opened_on_precision),
            "description": case.description or None,
            "defendants": [d.slug for d in case.published_defendants],
            "updated_at": timestamp(case.updated_at),
            "source_urls": source_urls(case),
        }


def echr_application_records(*, chunk_size=None):
    applicants = Detainee.objects.published().order_by("slug").only("slug")
    applications = (
        EchrApplication.objects.public()
        .select_related("group")
        .prefetch_related(
            "violations",
            Prefetch("applicants", queryset=applicants, to_attr="published_applicants"),
            _public_sources(),
        )
        .order_by("number")
    )
    for application in _chunked(applications, chunk_size):
        yield {
            "number": application.number,
            "title": application.title,
            "applicants": [d.slug for d in application.published_applicants],
            "lodged_on": iso_date(application.lodged_on),
            "communicated_on": iso_date(application.communicated_on),
            "judgment_on": iso_date(application.judgment_on),
            "final_on": iso_date(application.final_on),
            "violations": sorted(v.code for v in application.violations.all()),
            "hudoc_url": application.hudoc_url,
            "group": application.group.slug if application.group else None,
            "source_urls": source_urls(application),
        }


def execution_group_records(*, base_url, chunk_size=None):
    page_url = _page_url(base_url, "cases:echr-group")
    groups = (
        ExecutionGroup.objects.with_public_applications()
        .select_related("lead_application")
        .prefetch_related(
            Prefetch("applications", queryset=EchrApplication.objects.public().order_by("number")),
            _public_sources(),
        )
        .order_by("slug")
    )
    for group in _chunked(groups, chunk_size):
        lead = group.lead_application
        yield {
            "url": page_url(group.slug),
            "slug": group.slug,
            "name": group.name,
            "former_name": group.former_name or None,
            "supervision": group.supervision,
            "lead_application": lead.number if lead and group.lead_is_public else None,
            "description": group.description or None,
            "applications": [a.number for a in group.applications.all()],
            "source_urls": source_urls(group),
        }


def table_records(table, *, base_url, today=None, chunk_size=None):
    """Every published row of `table`, in a fixed order (the dump)."""
    if table is DETAINEES:
        detainees = Detainee.objects.published().order_by("slug")
        return detainee_records(detainees, base_url=base_url, today=today, chunk_size=chunk_size)
    if table is EVENTS:
        return event_records(chunk_size=chunk_size)
    if table is CHARGES:
        return charge_records(chunk_size=chunk_size)
    if table is CASES:
        return case_records(base_url=base_url, chunk_size=chunk_size)
    if table is ECHR_APPLICATIONS:
        return echr_application_records(chunk_size=chunk_size)
    if table is EXECUTION_GROUPS:
        return execution_group_records(base_url=base_url, chunk_size=chunk_size)
    raise ValueError(f"Unknown table {table.name}")


# --- CSV --------------------------------------------------------------------------------------


def neutralise(text):
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (OWASP)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a number is no formula, and -3 stays a number
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    return neutralise(str(value))


class _Line:
    """A file for csv.writer whose write() hands the line back instead of storing it."""

    def write(self, line):
        return line


def csv_rows(header, rows, *, language=None):
    """The one CSV writer of the site: `header` and `rows` as text in pieces of a few hundred
    rows, starting with a BOM, every cell formula-safe (`csv_cell`).

    The rows are read as the pieces are asked for, in `language` (the request's, since a
    streamed response is read after the view has returned).
    """
    writer = csv.writer(_Line())
    with translation.override(language or translation.get_language()):
        lines = [BOM + writer.writerow([csv_cell(cell) for cell in header])]
        for row in rows:
            lines.append(writer.writerow([csv_cell(cell) for cell in row]))
            if len(lines) >= ROWS_PER_WRITE:
                yield "".join(lines)
                lines = []
        yield "".join(lines)


def csv_lines(columns, records, *, language=None):
    """`records` (dicts) as CSV through `csv_rows`, one column per name in `columns`."""
    rows = ([record[column] for column in columns] for record in records)
    return csv_rows(columns, rows, language=language)


def json_line(record):
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
