"""Spreadsheet import of arrests: read a CSV or XLSX file, check every row, then write drafts.

A file is always checked first (`check_file`, which writes nothing) and the result shown: per row
an action (create, unchanged, propose update, possible duplicate, error) with details. `apply`
checks the file again and writes it all or nothing, through `services.log_arrest` and
`services.change_entry`, so imported entries follow the same rules as those logged by hand.

Written with the csv module and openpyxl rather than django-import-export: one row here becomes
a detainee, names, an affiliation, an event, a case membership and charges, which a per-model
Resource does not fit, and every message can name its row and column in plain words.

Re-importing is idempotent. An entry counts as imported when its first history record carries
IMPORT_REASON; a row whose folded name (`search_key`) equals such an entry's name is that entry:
with the same detention date and no new article it is unchanged, otherwise the row proposes an
update (applied at once to a draft, waiting for review on a published entry).

A file of the listing's CSV export (/detainees/export.csv) is read as an import too, so that one
deployment's published data can start another's: its columns are mapped (EXPORT_COLUMNS), the
columns derived from the timeline are ignored, and the apostrophe the export puts before a cell
that looks like a formula is removed.
"""

import csv
import datetime
import difflib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import addresses, services
from .exports import DETAINEES, FORMULA_STARTS, csv_rows
from .forms import SourceUrlsField
from .models import (
    ARTICLE_NUMBER_RE,
    Case,
    CaseDefendant,
    Charge,
    Court,
    Detainee,
    Event,
    Facility,
    Gender,
    LegalArticle,
    LegalCode,
    Occupation,
    Organization,
    PendingChange,
    Precision,
    State,
)
from .text import name_tokens, query_tokens, search_key, term_keys, term_words

TEMPLATE_COLUMNS = [
    "name", "other_names", "gender", "occupation", "organization", "role", "detained_on",
    "court", "facility", "case", "articles", "description", "source_urls", "notes", "entry",
]  # fmt: skip
REQUIRED_COLUMNS = ["name", "detained_on", "source_urls"]
COLUMN_HELP = {
    "name": "Name in Latin script (required)",
    "other_names": "Other spellings, separated by |",
    "gender": "female, male, other or unknown",
    "occupation": "An occupation's slug or name",
    "organization": "An organization's slug or name",
    "role": "Role in the organization",
    "detained_on": "YYYY-MM-DD, YYYY-MM or YYYY (required)",
    "court": "A court's slug or name",
    "facility": "A place of detention's slug or name",
    "case": (
        "An existing case's slug or name; a new name creates a new draft case; left empty "
        "with articles, an individual proceeding is opened for the person"
    ),
    "articles": (
        "Article numbers separated by commas, e.g. 206.3.2, 193-1.3.1 "
        "(a code's short name may come first: CC 206.3.2)"
    ),
    "description": "What happened (public)",
    "source_urls": "Source URLs separated by | (at least one)",
    "notes": "Staff only: never public",
    "entry": (
        "To update someone already recorded from this row: their page address or slug "
        "(optional; nobody is updated on a name alone)"
    ),
}
IMPORT_REASON = "Imported from a spreadsheet"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# What a file may hold, so that a small hostile file cannot keep a worker busy: every row counts,
# empty ones too; cells past MAX_COLUMNS are never read; a workbook's parts may not unpack to
# more than MAX_UNPACKED bytes (a 5 MB file of real rows unpacks to a few tens of MB).
MAX_COLUMNS = 64
MAX_UNPACKED = 100 * 1024 * 1024
MAX_CELL = 5_000
MAX_LENGTHS = {"name": 200, "role": 200, "case": 255, "other_names": 2_000}
# An export file's columns that carry what a row imports, and the import column each fills.
EXPORT_COLUMNS = {
    "name": "name", "other_names": "other_names", "gender": "gender",
    "occupations": "occupation", "organizations": "organization",
    "first_detained_on": "detained_on", "cases": "case", "articles": "articles",
    "source_urls": "source_urls",
}  # fmt: skip
IGNORED = "\x00ignored"  # a column name no file can hold
WRITE_CHUNK = 1000  # new people per bulk write: the progress bar moves every thousand rows
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# A person's page address, in any language, or a slug written as one (`/detainees/<slug>/`).
class FileError(Exception):
    """The file as a whole cannot be read: wrong format, encoding, size or header."""


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict
    action: str = "create"
    errors: list = field(default_factory=list)  # (column, message)
    details: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)  # (label, url or "")
    data: dict = field(default_factory=dict)
    target: Detainee | None = None
    change: dict | None = None

    CREATE, UNCHANGED, UPDATE, DUPLICATE, ERROR, SKIPPED = (
        "create", "unchanged", "propose update", "possible duplicate", "error", "skipped",
    )  # fmt: skip
    # What the importer decided about a possible duplicate: a new person, or the same one.
    NEW_PERSON, SAME_PERSON = "new", "skip"

    def error(self, column, message):
        self.errors.append((column, message))
        self.action = self.ERROR

    @property
    def name(self):
        """Who the row is about: the arrest import's name, the timeline import's person."""
        return self.values.get("name") or self.values.get("person", "")


@dataclass
class Proposals:
    """New vocabulary a file proposes, when its importer asks for it (`propose`): a name no term
    has, nor nearly has (a near miss stays an error with its suggestion, so that no duplicate
    term is made of a typing slip). `apply` has `services.propose_terms` write them, unapproved,
    before the rows; a moderator approves them with the entries that use them."""

    terms: dict = field(default_factory=dict)  # (model, folded name) -> name as written
    articles: dict = field(default_factory=dict)  # (code, number) -> number
    resembles: dict = field(default_factory=dict)  # (model, folded name) -> a known term

    def add_term(self, model, text, resembling=None):
        keys = term_keys(text)
        key = (model, keys[0] if keys else text.casefold())
        self.terms.setdefault(key, text.strip())
        if resembling is not None:
            self.resembles[key] = resembling

    def add_article(self, code, number):
        self.articles.setdefault((code, number), number)

    def codes_named(self, short_name=""):
        """The legal codes with this short name, or all of them (read once per file)."""
        if not hasattr(self, "_codes"):
            self._codes = list(LegalCode.objects.all())
        name = short_name.strip().casefold()
        return [c for c in self._codes if not name or c.short_name.casefold() == name]

    def __bool__(self):
        return bool(self.terms or self.articles)

    def lines(self):
        """Each proposal in plain words, for the dry run's summary."""
        lines = []
        for key, name in self.terms.items():
            line = _("New %(what)s “%(name)s”") % {"what": key[0]._meta.verbose_name, "name": name}
            if key in self.resembles:
                line += " " + _("(check it is not “%(name)s”, which has most of its words)") % {
                    "name": self.resembles[key].name,
                }  # fmt: skip
            lines.append(line)
        lines += [
            _("New article %(code)s %(number)s") % {"code": code.short_name, "number": number}
            for (code, number) in self.articles
        ]
        return lines


@dataclass
class Result:
    rows: list
    file_errors: list = field(default_factory=list)
    proposals: Proposals = field(default_factory=Proposals)

    def count(self, action):
        return sum(1 for r in self.rows if r.action == action)

    @property
    def has_errors(self):
        return bool(self.file_errors) or any(r.action == Row.ERROR for r in self.rows)

    @property
    def has_duplicates(self):
        return any(r.action == Row.DUPLICATE for r in self.rows)

    def summary(self):
        return {
            a: self.count(a)
            for a in (
                Row.CREATE,
                Row.UPDATE,
                Row.UNCHANGED,
                Row.DUPLICATE,
                Row.SKIPPED,
                Row.ERROR,
            )
        }

    def messages(self):
        """Every problem as one line of plain words, the row and column first."""
        lines = list(self.file_errors)
        for row in self.rows:
            for column, message in row.errors:
                lines.append(_("Row %(row)d, column %(column)s: %(message)s") % {
                    "row": row.number, "column": column, "message": message,
                })  # fmt: skip
            if row.action == Row.DUPLICATE:
                lines.append(_("Row %(row)d: possible duplicate of %(who)s") % {
                    "row": row.number, "who": "; ".join(label for label, _url in row.duplicates),
                })  # fmt: skip
        lines += [_("Proposed: %(term)s") % {"term": line} for line in self.proposals.lines()]
        return lines


# --- Reading ----------------------------------------------------------------------------------


def template_csv():
    """The downloadable template: the header and one plainly fictional example row."""
    example = [
        "Testname Example Person", "Testname Examplə Pərson|Тестнаме Пример", "unknown",
        "journalist", "", "", "2025-03", "", "", "Example case", "",
        "Detained at home.", "https://news.example.org/report", "Staff only note", "",
    ]  # fmt: skip
    return "".join(csv_rows(TEMPLATE_COLUMNS, [example]))


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(
            _("The file is not UTF-8 text (byte %(pos)d). Save it as CSV UTF-8 and try again.")
            % {"pos": exc.start}
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise FileError(
            _("Row %(row)d cannot be read as CSV: %(problem)s")
            % {"row": reader.line_num, "problem": exc}
        ) from None


def _unreadable_xlsx(problem):
    return FileError(
        _("The file is not a readable XLSX workbook (%(problem)s).") % {"problem": problem[:200]}
    )


def _read_xlsx(content):
    import openpyxl  # only needed for spreadsheets

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise _unreadable_xlsx(_("it unpacks to more than %(mb)d MB") % {
                "mb": MAX_UNPACKED // 2**20
            })  # fmt: skip
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        raise _unreadable_xlsx(str(exc)) from None
    try:
        sheet = book.worksheets[0]
        # The size a sheet declares is not trusted: "A1:XFD1048576" would be walked cell by cell.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(v) for v in values]
    except (KeyError, ValueError, TypeError, OSError, SyntaxError, zipfile.BadZipFile) as exc:
        # Malformed sheet XML (ElementTree's ParseError is a SyntaxError), a broken part.
        raise _unreadable_xlsx(str(exc)) from None
    finally:
        book.close()


def read_rows(content, filename="", columns=None, required=None):
    """(header, [(row number, {column: text})]) from CSV or XLSX bytes; FileError if unreadable.
    `columns` and `required`: another import's columns (the timeline import's); by default the
    arrest import's, whose header may also be an export's."""
    if len(content) > MAX_BYTES:
        raise FileError(
            _("The file is larger than %(mb)d MB: split it.") % {"mb": MAX_BYTES // 2**20}
        )
    if not content.strip():
        raise FileError(_("The file is empty."))
    is_xlsx = content[:4] == b"PK\x03\x04"
    records = _read_xlsx(content) if is_xlsx else _read_csv(content)
    header = None
    rows = []
    for index, record in enumerate(records, start=1):
        if index > MAX_ROWS + 1:  # the header, then rows, empty ones counted too
            raise FileError(_("The file has more than %(n)d rows: split it.") % {"n": MAX_ROWS})
        cells = [_unescape("" if c is None else str(c).strip()) for c in record[:MAX_COLUMNS]]
        if header is None:
            header = [c.casefold().strip().lstrip("\ufeff") for c in cells]
            while header and not header[-1]:
                header.pop()
            if columns is None:
                header = _from_export(header)
            _check_header(
                [c for c in header if c != IGNORED],
                columns or TEMPLATE_COLUMNS,
                required or REQUIRED_COLUMNS,
            )
            continue
        if not any(cells):
            continue
        extra = [c for c in cells[len(header) :] if c]
        values = {c: v for c, v in zip(header, cells, strict=False) if c != IGNORED}
        if extra:
            values["__extra__"] = extra
        rows.append((index, values))
    if header is None:
        raise FileError(_("The file is empty."))
    return header, rows


def _unescape(cell):
    """A cell as written before the export guarded it: '=SUM(1) was =SUM(1)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


def _from_export(header):
    """An export file's header as import columns (see the module docstring); others unchanged."""
    if not {"url", "slug", "first_detained_on"} <= set(header):
        return header
    return [EXPORT_COLUMNS.get(c, IGNORED if c in DETAINEES.columns else c) for c in header]


def _check_header(header, columns, required):
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise FileError(
            _("Unknown columns in row 1: %(columns)s. The columns are: %(known)s.")
            % {"columns": ", ".join(c[:40] or "(empty)" for c in unknown[:10]),
               "known": ", ".join(columns)}
        )  # fmt: skip
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise FileError(
            _("Columns named twice in row 1: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise FileError(
            _("Missing columns in row 1: %(columns)s.") % {"columns": ", ".join(missing)}
        )


# --- Checking ---------------------------------------------------------------------------------


def _by_slug_or_name(queryset):
    lookup = {}
    for obj in queryset:
        lookup.setdefault(obj.name.casefold().strip(), obj)
        lookup[obj.slug.casefold()] = obj
    return lookup


AMBIGUOUS = object()


class _Terms:
    """A vocabulary, looked up by slug or by any of its spellings (names in every language,
    abbreviation, aliases), folded (`text.term_keys`); a miss gets the nearest term as a
    suggestion."""

    def __init__(self, queryset):
        self.model = queryset.model
        self.by_slug, self.by_key, self.names, self.words = {}, {}, {}, []
        for term in queryset:
            self.by_slug[term.slug.casefold()] = term
            for spelling in term.spellings():
                for key in term_keys(spelling):
                    known = self.by_key.get(key)
                    self.by_key[key] = term if known in (None, term) else AMBIGUOUS
                    self.names.setdefault(key, term)
                self.words.append((set(term_words(spelling)), term))

    def get(self, text):
        """The term, AMBIGUOUS when two terms share the spelling, or None. A spelling that
        leaves words out ("Khatai District Court" for "Khatai District Court of Baku") is the
        one term whose name has all its words, if only one has."""
        found = self.by_slug.get(text.casefold().strip())
        if found is not None:
            return found
        for key in term_keys(text):
            if key in self.by_key:
                return self.by_key[key]
        words = set(term_words(text))
        if len(words) >= 2:
            wider = {id(term): term for known, term in self.words if words <= known}
            if len(wider) == 1:
                return next(iter(wider.values()))
            if wider:
                return AMBIGUOUS
        return None

    def resembling(self, text):
        """The term sharing most of `text`'s words (at least half of all the words of both): a
        possible other rendering ("Baku Serious Crimes Court", "Baku Court on Grave Crimes")
        that a proposal should be checked against, never a match."""
        words = set(term_words(text))
        best, score = None, 0.5
        for known, term in self.words:
            overlap = len(words & known) / len(words | known) if words else 0
            if overlap >= score:
                best, score = term, overlap
        return best

    def suggestion(self, text):
        """The term whose spelling is nearest to `text` (a typing slip), if one is that near."""
        for key in term_keys(text):
            close = difflib.get_close_matches(key, self.names, n=1, cutoff=0.85)
            if close:
                return self.names[close[0]]
        return None


class _Context:
    """Everything a row is checked against, read once per file (10,000 rows, few queries)."""

    def __init__(self, user, proposals=None):
        from .workspace import _cases_for

        self.user, self.proposals = user, proposals
        self.occupations = _Terms(Occupation.objects.all())
        self.organizations = _Terms(Organization.objects.all())
        self.courts = _Terms(Court.objects.all())
        self.facilities = _Terms(Facility.objects.all())
        self.cases = _by_slug_or_name(_cases_for(user))
        self.all_case_keys = {
            n.casefold().strip()
            for n in Case.objects.exclude(state=State.RETRACTED).values_list("name", flat=True)
        }
        self.articles = {}
        for article in LegalArticle.objects.select_related("code"):
            self.articles.setdefault(article.number, []).append(article)
        visible = set(Detainee.objects.visible_to(user).values_list("pk", flat=True))
        imported = set(
            Detainee.history.filter(
                history_type="+", history_change_reason=IMPORT_REASON
            ).values_list("id", flat=True)
        )
        self.people = {}  # pk -> (name, state, visible)
        self.words = {}  # folded word -> pks with it in some spelling
        self.imported = {}  # folded name -> pk of an imported entry
        for pk, name, text, state in Detainee.objects.exclude(state=State.RETRACTED).values_list(
            "pk", "name", "search_text", "state"
        ):
            self.people[pk] = (name, state, pk in visible)
            for token in set(text.replace("|", " ").split()):
                self.words.setdefault(token, set()).add(pk)
            if pk in imported:
                self.imported.setdefault(search_key(name), pk)
        self.visible = Detainee.objects.visible_to(user).exclude(state=State.RETRACTED)
        self.file_words = {}  # folded word -> row numbers earlier in the file

    def load_facts(self, pks):
        """What an update is compared with, for the entries rows may update (those imported
        before, and those rows name in their entry column): a few queries for the whole file."""
        pks = list(pks)
        self.detentions, self.charged = {}, {}  # pk -> {date: event pk}, pk -> {article: case}
        self.brought = {}  # pk -> {case: [(charge pk, article pk)]}: the charges at arrest
        for pk, event, date in Event.objects.filter(
            detainee__in=pks, kind=Event.Kind.DETENTION
        ).values_list("detainee_id", "pk", "date"):
            self.detentions.setdefault(pk, {})[date] = event
        self.released = set(
            Event.objects.filter(
                detainee__in=pks, kind__in=[Event.Kind.RELEASE, Event.Kind.PARDON]
            ).values_list("detainee_id", flat=True)
        )
        charges = Charge.objects.filter(defendant__detainee__in=pks, article__isnull=False)
        for pk, charge, article, case, action in charges.order_by("date", "pk").values_list(
            "defendant__detainee_id", "pk", "article_id", "defendant__case_id", "action"
        ):
            self.charged.setdefault(pk, {}).setdefault(article, case)
            if action == Charge.Action.BROUGHT:
                self.brought.setdefault(pk, {}).setdefault(case, []).append((charge, article))
        self.memberships = {}
        for pk, case in CaseDefendant.objects.filter(detainee__in=pks).values_list(
            "detainee_id", "case_id"
        ):
            self.memberships.setdefault(pk, case)
        # Each part already waiting for review, by person: a change an author's later edits
        # joined still holds the row's parts.
        self.waiting = {
            (c.detainee_id, key, _fingerprint(item))
            for c in PendingChange.objects.filter(
                detainee__in=pks, state=PendingChange.State.PENDING
            ).only("detainee_id", "data")
            for key, items in c.data.items()
            if isinstance(items, list)
            for item in items
        }

    def entry(self, row, text):
        """The pk of the entry a row's entry column names (page address or slug), or None after
        an error on the row: only an entry the importer may see and change."""
        slug = addresses.slug_in(text, "detainees")
        found = self.visible.filter(slug=slug).first() if slug else None
        if found is None:
            row.error("entry", _("No entry you may see has this address or slug."))
            return None
        if found.state == State.IN_REVIEW and not self.user.can_review:
            row.error("entry", _("“%(name)s” is in review: wait for the moderator's decision.") % {
                "name": found.name,
            })  # fmt: skip
            return None
        return found.pk

    def matches(self, names):
        """Entries with every word of some spelling among their names: matching_name, by word."""
        found = set()
        for name in names:
            words = search_key(name).split()
            if not words:
                continue
            found |= _all_of([self.found_by(self.words, w) for w in words])
        return found

    @staticmethod
    def found_by(index, word):
        """The entries (or rows) `index` has under a folded query word or, for a word with a
        surname suffix, under its root (`text.query_tokens`)."""
        found = set()
        for token in query_tokens(word):
            found |= index.get(token, set())
        return found


def _all_of(sets):
    """The intersection, smallest set first: a common word's set can hold every entry."""
    sets = sorted(sets, key=len)
    result = set(sets[0])
    for other in sets[1:]:
        if not result:
            break
        result &= other
    return result


def _fingerprint(data):
    return json.dumps(data, sort_keys=True, default=str)


def _parse_date(text):
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(
            _("“%(value)s” is not a date: write YYYY-MM-DD, YYYY-MM or YYYY.")
            % {"value": text[:40]}
        )
    year, month, day = match.groups()
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    try:
        date = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date in the calendar.") % {"value": text[:40]}
        ) from None
    if date > datetime.date.today():
        raise ValueError(_("%(value)s is in the future.") % {"value": text})
    if date.year < 1900:
        raise ValueError(_("%(value)s is before 1900.") % {"value": text})
    return date, precision


def lookup_term(row, ctx_map, column, label, proposals=None):
    """The vocabulary term a row's cell names (`_Terms.get`), or None after an error on the row
    (unknown, with the nearest term suggested; shared by two terms) or, with `proposals`, after
    proposing a term no spelling nearly matches. Shared by the imports."""
    text = row.values.get(column, "").strip()
    if not text:
        return None
    if "|" in text:
        row.error(column, _("One %(what)s per row: keep one and add the others later.") % {
            "what": label,
        })  # fmt: skip
        return None
    found = ctx_map.get(text)
    if found is AMBIGUOUS:
        row.error(column, _("“%(value)s” is the name of more than one %(what)s: use its slug.") % {
            "what": label, "value": text[:80],
        })  # fmt: skip
        return None
    if found is None:
        message = _("Unknown %(what)s “%(value)s”: use a slug or name from the list.") % {
            "what": label, "value": text[:80],
        }  # fmt: skip
        near = ctx_map.suggestion(text)
        if near is None and proposals is not None:
            proposals.add_term(ctx_map.model, text, ctx_map.resembling(text))
            row.details.append(
                _("New %(what)s “%(value)s” proposed: a moderator approves it with the entry.")
                % {"what": label, "value": text[:80]}
            )
            return None
        if near is not None:
            message += " " + _("Did you mean “%(name)s” (%(slug)s)?") % {
                "name": near.name, "slug": near.slug,
            }  # fmt: skip
        elif (alike := ctx_map.resembling(text)) is not None:
            message += " " + _(
                "If it is “%(name)s” (%(slug)s), which has most of its words, use that, and ask "
                "an admin to add this spelling to its other names."
            ) % {"name": alike.name, "slug": alike.slug}  # fmt: skip
        row.error(column, message)
    return found


def find_articles(row, articles, text, proposals=None):
    """The articles a cell lists ("206.3.2, 213.1", or "CC 206.3.2" with the code's short name
    as the export writes it), each once; an unknown or ambiguous one is an error on the row
    unless, with `proposals`, it can be proposed (a well-formed number in the code named, or in
    the only code there is). `articles`: {number: [LegalArticle]}. Shared by the imports."""
    found_all = []
    for entry in [n.strip() for n in re.split(r"[,|]", text) if n.strip()]:
        code, _space, number = entry.rpartition(" ")
        found = [
            a for a in articles.get(number, [])
            if not code or a.code.short_name.casefold() == code.strip().casefold()
        ]  # fmt: skip
        if not found and proposals is not None and re.match(ARTICLE_NUMBER_RE, number):
            codes = proposals.codes_named(code)
            if len(codes) == 1:
                proposals.add_article(codes[0], number)
                row.details.append(
                    _("New article %(code)s %(n)s proposed: a moderator approves it with the "
                      "entry.") % {"code": codes[0].short_name, "n": number}
                )  # fmt: skip
                continue
        if not found:
            message = _("Unknown article %(n)s. Ask an admin to add it to the legal code.") % {
                "n": number[:30]
            }
            near = difflib.get_close_matches(number[:30], list(articles), n=1, cutoff=0.8)
            if near:
                message += " " + _("Did you mean %(n)s?") % {"n": near[0]}
            row.error("articles", message)
        elif len(found) > 1:
            row.error(
                "articles",
                _("Article %(n)s exists in several codes: ask a moderator to record it.")
                % {"n": number[:30]},
            )
        else:
            found_all.append(found[0])
    return list(dict.fromkeys(found_all))


def check_cells(row):
    """Refuse what no cell may hold (NUL and control characters, an overlong value, cells past
    the header); True when the row's cells are fit to read further. Shared by the imports."""
    values = row.values
    if values.get("__extra__"):
        row.error("—", _("This row has more cells than the header has columns."))
    for column, text in values.items():
        if column == "__extra__":
            continue
        if "\x00" in text:
            row.error(column, _("Contains a NUL character; remove it."))
        elif CONTROL_RE.search(text):
            row.error(column, _("Contains a control character; remove it."))
        limit = MAX_LENGTHS.get(column, MAX_CELL)
        if len(text) > limit:
            row.error(
                column,
                _("Too long: %(n)d characters, at most %(max)d.") % {"n": len(text), "max": limit},
            )
    return not row.errors


def _check_row(row, ctx):
    values = row.values
    if not check_cells(row):
        return  # nothing further is meaningful on a hostile cell
    data = {"notes": values.get("notes", ""), "description": values.get("description", "")}
    data["name"] = values.get("name", "")
    if not data["name"]:
        row.error("name", _("A name is required."))
    data["other_names"] = list(
        dict.fromkeys(n.strip() for n in values.get("other_names", "").split("|") if n.strip())
    )
    if any(len(n) > 200 for n in data["other_names"]):
        row.error("other_names", _("A spelling is longer than 200 characters."))
    gender = values.get("gender", "").casefold() or Gender.UNKNOWN
    by_label = {str(label).casefold(): value for value, label in Gender.choices}
    if gender in Gender.values or gender in by_label:
        data["gender"] = by_label.get(gender, gender)
    else:
        row.error(
            "gender",
            _("Unknown gender “%(value)s”: use female, male, other or unknown.")
            % {"value": gender[:40]},
        )
    proposals = ctx.proposals
    data["occupation"] = lookup_term(row, ctx.occupations, "occupation", _("occupation"), proposals)
    data["organization"] = lookup_term(
        row, ctx.organizations, "organization", _("organization"), proposals
    )
    data["court"] = lookup_term(row, ctx.courts, "court", _("court"), proposals)
    data["facility"] = lookup_term(
        row, ctx.facilities, "facility", _("place of detention"), proposals
    )
    data["role"] = values.get("role", "")
    if data["role"] and not values.get("organization"):
        row.error("role", _("A role needs an organization."))
    try:
        if not values.get("detained_on"):
            raise ValueError(_("The date of detention is required."))
        data["detained_on"], data["detained_on_precision"] = _parse_date(values["detained_on"])
    except ValueError as exc:
        row.error("detained_on", str(exc))
    case_text = values.get("case", "")
    if "|" in case_text:
        row.error("case", _("One case per row: keep one and add the others later."))
    data["case"] = ctx.cases.get(case_text.casefold()) if case_text else None
    data["new_case_name"] = case_text if case_text and data["case"] is None else ""
    if data["new_case_name"] and case_text.casefold() in ctx.all_case_keys:
        row.error(
            "case",
            _("A case named “%(value)s” exists but you cannot add to it.")
            % {"value": case_text[:80]},
        )
    data["articles"] = find_articles(row, ctx.articles, values.get("articles", ""), proposals)
    try:
        data["source_urls"] = SourceUrlsField().clean(
            "\n".join(values.get("source_urls", "").split("|"))
        )
    except ValidationError as exc:
        row.error("source_urls", " ".join(exc.messages))
    if any(len(u) > 1000 for u in data.get("source_urls", [])):
        row.error("source_urls", _("A URL is longer than 1000 characters."))
    data["entry"] = ctx.entry(row, values["entry"].strip()) if values.get("entry") else None
    row.data = data


def _compare_with_import(row, ctx, pk):
    """The row names an entry imported before: unchanged, or an update to propose."""
    data = row.data
    row.target = pk
    name, state, _visible = ctx.people[pk]
    added_events, added_charges, corrected, details = [], [], [], []
    recorded = ctx.detentions.get(pk, {})
    if data["detained_on"] not in recorded and len(recorded) == 1 and pk not in ctx.released:
        # One detention, never released: a different date corrects it, not a second arrest.
        ((old_date, event),) = recorded.items()
        corrected.append({
            "event": event, "date": data["detained_on"].isoformat(),
            "date_precision": str(data["detained_on_precision"]),
            "source_urls": data["source_urls"],
        })  # fmt: skip
        details.append(
            _("detention date corrected: %(old)s → %(new)s")
            % {"old": old_date, "new": data["detained_on"]}
        )
    elif data["detained_on"] not in recorded:
        added_events.append({
            "kind": Event.Kind.DETENTION.value, "date": data["detained_on"].isoformat(),
            "date_precision": str(data["detained_on_precision"]),
            "court": data["court"].pk if data["court"] else None,
            "facility": data["facility"].pk if data["facility"] else None,
            "case": data["case"].pk if data["case"] else ctx.memberships.get(pk),
            "description_en": data["description"], "source_urls": data["source_urls"],
        })  # fmt: skip
        known = ", ".join(sorted(d.isoformat() for d in recorded)) or "—"
        details.append(
            _("detention on %(date)s (recorded: %(known)s)")
            % {"date": data["detained_on"], "known": known}
        )
    charged = ctx.charged.get(pk, {})
    new_articles = [a for a in data["articles"] if a.pk not in charged]
    case = data["case"].pk if data["case"] else ctx.memberships.get(pk)
    # An article the row names instead of one recorded as brought in that case corrects it;
    # one recorded and not in the row is left as it is (a row may list fewer than are known).
    in_row = {a.pk for a in data["articles"]}
    replaced = [(c, a) for c, a in ctx.brought.get(pk, {}).get(case, []) if a not in in_row]
    corrected_charges = []
    numbers = dict(
        LegalArticle.objects.filter(pk__in=[a for _c, a in replaced]).values_list("pk", "number")
        if replaced
        else []
    )
    for (charge, old), article in zip(replaced, list(new_articles), strict=False):
        corrected_charges.append({
            "charge": charge, "article": article.pk, "source_urls": data["source_urls"],
        })  # fmt: skip
        new_articles.remove(article)
        details.append(
            _("charge corrected: %(old)s → %(new)s") % {"old": numbers[old], "new": article.number}
        )
    kept = [numbers[a] for _c, a in replaced[len(corrected_charges) :]]
    if kept:
        row.details.append(
            _("Recorded and not in this row, left as it is: %(n)s") % {"n": ", ".join(kept)}
        )
    if new_articles:
        if case is None:
            row.error("case", _("New charges need an existing case this person is in."))
            return
        for article in new_articles:
            added_charges.append({
                "case": case, "article": article.pk, "description": "",
                "action": Charge.Action.ADDED.value, "date": data["detained_on"].isoformat(),
                "date_precision": str(data["detained_on_precision"]),
                "source_urls": data["source_urls"],
            })  # fmt: skip
        details.append(_("new charges: %(n)s") % {"n": ", ".join(a.number for a in new_articles)})
    if not added_events and not added_charges and not corrected and not corrected_charges:
        row.action = Row.UNCHANGED
        row.details.append(_("Already recorded as “%(name)s”.") % {"name": name})
        return
    change = {"add_events": added_events, "add_charges": added_charges}
    if corrected:
        change["correct_events"] = corrected
    if corrected_charges:
        change["correct_charges"] = corrected_charges
    if all(
        (pk, key, _fingerprint(item)) in ctx.waiting for key, items in change.items()
        for item in items
    ):  # fmt: skip
        row.action = Row.UNCHANGED
        row.details.append(_("The same update already waits for review."))
        return
    row.action, row.change = Row.UPDATE, change
    where = _("waits for review") if state == State.PUBLISHED else _("applied to the draft")
    row.details.append(_("Update to “%(name)s” (%(where)s): %(what)s") % {
        "name": name, "where": where, "what": "; ".join(str(d) for d in details),
    })  # fmt: skip


def _check_duplicates(row, ctx):
    names = [row.data["name"], *row.data["other_names"]]
    if row.data.get("entry"):
        # Named by its address or slug: that entry, whatever the names say.
        _compare_with_import(row, ctx, row.data["entry"])
        return
    key = search_key(row.data["name"])
    pk = ctx.imported.get(key)
    if pk is not None and ctx.people[pk][2]:
        state = ctx.people[pk][1]
        if state == State.IN_REVIEW and not ctx.user.can_review:
            row.error("name", _("“%(name)s” is in review: wait for the moderator's decision.") % {
                "name": ctx.people[pk][0],
            })  # fmt: skip
            return
        _compare_with_import(row, ctx, pk)
    else:
        # Only entries the importer may see: another researcher's draft is not theirs to learn
        # of, not even as a count. The moderator reviewing the import sees every match.
        for pk in sorted(ctx.matches(names)):
            name, state, visible = ctx.people[pk]
            if visible:
                row.duplicates.append((f"{name} ({State(state).label})", pk))
    earlier = set()
    for name in names:
        words = search_key(name).split()
        if words:
            earlier |= _all_of([ctx.found_by(ctx.file_words, w) for w in words])
    keys, roots = name_tokens(names)
    for token in [*(w for key in keys for w in key.split()), *roots]:
        ctx.file_words.setdefault(token, set()).add(row.number)
    for number in sorted(earlier - {row.number}):
        row.duplicates.append((_("row %(n)d of this file") % {"n": number}, None))
    if row.duplicates and row.action == Row.CREATE:
        row.action = Row.DUPLICATE
        if any(pk for _label, pk in row.duplicates):
            row.details.append(
                _("To update that person from this row instead, write their page address or "
                  "slug in the entry column.")
            )  # fmt: skip


def check_file(content, *, user, filename="", progress=None, propose=False):
    """The dry run: every row checked and classified; nothing is written. With `propose`, an
    unknown term no known one nearly matches is proposed (`Proposals`) instead of refused."""
    try:
        _header, records = read_rows(content, filename)
    except FileError as exc:
        return Result(rows=[], file_errors=[str(exc)])
    proposals = Proposals() if propose else None
    ctx = _Context(user, proposals)
    rows = []
    for number, values in records:
        row = Row(number=number, values=values)
        _check_row(row, ctx)
        rows.append(row)
    named = {row.data["entry"] for row in rows if not row.errors and row.data.get("entry")}
    ctx.load_facts(set(ctx.imported.values()) | named)
    for done, row in enumerate(rows, start=1):
        if not row.errors:
            _check_duplicates(row, ctx)
        if progress:
            progress(done, len(records))
    if not rows:
        return Result(rows=[], file_errors=[_("The file has a header but no rows.")])
    return Result(rows=rows, proposals=proposals or Proposals())


class ImportRefused(Exception):
    def __init__(self, result, message):
        super().__init__(message)
        self.result = result


def apply(
    content, *, user, filename="", confirm_duplicates=False, decisions=None, progress=None,
    propose=False,
):  # fmt: skip
    """Check the file again and write it, all or nothing; raises ImportRefused on any problem.

    Each possible duplicate needs a decision: `decisions` maps its row number to
    Row.NEW_PERSON (import it as another person) or Row.SAME_PERSON (skip the row);
    `confirm_duplicates` decides "another person" for all of them. With `propose`, the new
    vocabulary the file proposes is written first (unapproved), and the file checked again
    against it.
    """
    try:
        with transaction.atomic():
            result = with_proposed_terms(
                lambda propose: check_file(
                    content, user=user, filename=filename, propose=propose
                ),
                user=user, propose=propose,
            )  # fmt: skip
            if result.has_errors:
                raise ImportRefused(result, _("Nothing was imported: the file has errors."))
            _decide_duplicates(result, confirm_duplicates, {} if decisions is None else decisions)
            _write(result, user, progress)
    except IntegrityError as exc:
        # A rule the row checks missed and the database enforces: still all or nothing.
        raise ImportRefused(
            result,
            _("Nothing was imported: the database refused the data (%(rule)s).")
            % {"rule": str(exc).splitlines()[0][:200]},
        ) from None
    return result


def with_proposed_terms(check, *, user, propose):
    """`check(propose)`'s result, after writing what it proposes (`services.propose_terms`) and
    checking again, so that the rows find the new terms as any other (shared by the imports;
    inside the caller's transaction: refused rows leave no term behind)."""
    result = check(propose)
    if propose and result.proposals and not result.has_errors:
        services.propose_terms(author=user, proposals=result.proposals)
        proposed = result.proposals
        result = check(False)
        result.proposals = proposed
    return result


def _decide_duplicates(result, confirm_all, decisions):
    undecided = []
    for row in result.rows:
        if row.action != Row.DUPLICATE:
            continue
        decision = Row.NEW_PERSON if confirm_all else decisions.get(row.number)
        if decision == Row.SAME_PERSON:
            row.action = Row.SKIPPED
            row.details.append(_("Skipped: the importer said this is a person already there."))
        elif decision != Row.NEW_PERSON:
            undecided.append(str(row.number))
    if undecided:
        raise ImportRefused(
            result,
            _("Nothing was imported: decide on the possible duplicates first (rows %(rows)s).")
            % {"rows": ", ".join(undecided)},
        )


def _write(result, user, progress):
    """New people in bulk, a thousand at a time so that the progress bar moves (their creation
    records carry IMPORT_REASON, which marks them as imported: see the module docstring), then
    the proposed updates row by row."""
    new = [row for row in result.rows if row.action in (Row.CREATE, Row.DUPLICATE)]
    new_cases = {}
    for start in range(0, len(new), WRITE_CHUNK):
        chunk = new[start : start + WRITE_CHUNK]
        detainees = services.log_arrests(
            author=user, rows=[row.data for row in chunk], reason=IMPORT_REASON, checked=True,
            new_cases=new_cases,
        )  # fmt: skip
        for row, detainee in zip(chunk, detainees, strict=True):
            row.target = detainee.pk
        if progress:
            progress(start + len(chunk), len(result.rows))
    done = len(new)
    for row in result.rows:
        if row.action in (Row.CREATE, Row.DUPLICATE):
            continue
        if row.action == Row.UPDATE:
            services.change_entry(
                detainee=Detainee.objects.get(pk=row.target), author=user, data=row.change,
                summary=_("Update from a spreadsheet import (row %(n)d)") % {"n": row.number},
            )  # fmt: skip
        done += 1
        if progress:
            progress(done, len(result.rows))
