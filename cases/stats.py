"""Statistics over published detainees: the series and breakdowns behind /stats/.

Every function takes a queryset of detainees (already published and filtered) and runs one query.
Custody periods are half-open, [start, end): a person released on 31 March is not held at the end
of 31 March. A date known only to the month or the year is stored as its first day, so a person
detained "in April 2025" counts as held from 1 April 2025.
"""

import dataclasses
import datetime
import re
from collections import Counter

from django.db import connections
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .models import Case as CaseEntry
from .models import (
    CaseDefendant,
    CaseDefendantQuerySet,
    Charge,
    ChargeQuerySet,
    CustodyPeriod,
    Detainee,
    Gender,
    LegalArticle,
    SentenceKind,
    State,
    article_sort_key,
    localized,
)

DEFAULT_MONTHS = 36
MAX_MONTHS = 12 * 60
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
CUSTODY = CustodyPeriod.Kind.CUSTODY
HOUSE_ARREST = CustodyPeriod.Kind.HOUSE_ARREST
# (label, lower bound in months inclusive, upper bound exclusive or None)
SENTENCE_BINS = [
    ("<1", 0, 12),
    ("1-3", 12, 36),
    ("3-5", 36, 60),
    ("5-7", 60, 84),
    ("7-10", 84, 120),
    ("10+", 120, None),
]
TOP_CASES = 20


# --- Months -----------------------------------------------------------------------------------


def add_months(day, n):
    """The first of the month n months after `day`'s month."""
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_month(value):
    """'2025-04' -> 1 April 2025; anything else -> None."""
    match = MONTH_RE.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return datetime.date(year, month, 1)


def month_range(params, today):
    """(first days of the months shown, messages about ignored values) from `from` and `to`."""
    messages = []
    current = today.replace(day=1)
    bounds = {}
    for name in ("from", "to"):
        raw = params.get(name, "")
        if raw:
            bounds[name] = parse_month(raw)
            if bounds[name] is None:
                messages.append(
                    _("“%(name)s” was ignored: write a month as YYYY-MM, e.g. 2025-04.")
                    % {"name": name}
                )
    last = min(bounds.get("to") or current, current)
    first = bounds.get("from") or add_months(last, 1 - DEFAULT_MONTHS)
    if first > last:
        messages.append(_("The range was ignored: “from” comes after “to”."))
        last, first = current, add_months(current, 1 - DEFAULT_MONTHS)
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        messages.append(_("The range was shortened to the last %(n)s months.") % {"n": MAX_MONTHS})
        first = add_months(last, 1 - MAX_MONTHS)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months, messages


def counting_day(month, today):
    """The day a month is counted on: its last day, or today for the month under way."""
    return min(add_months(month, 1) - datetime.timedelta(days=1), today)


# --- Series over time -------------------------------------------------------------------------


def _periods(detainees):
    return QuerySet(CustodyPeriod).filter(detainee__in=detainees.order_by().values("pk")).order_by()


def _month(value):
    # TruncMonth of a date gives a datetime on some databases.
    return value.date() if isinstance(value, datetime.datetime) else value


def period_counts(detainees, first_month, last_day):
    """{(kind, "start" or "end", first of the month): periods}, in one query: what every series
    over time from `first_month` to `last_day` follows from.

    One pass over the periods, grouped by the months they begin and end in (an end after
    `last_day` is not counted). A period that ended before `first_month` changes no count from
    then on, so it is left out; the others that began before it are counted as beginning the
    month before, which keeps the groups few, however long the history.
    """
    before = add_months(first_month, -1)
    rows = (
        _periods(detainees)
        .filter(Q(end__isnull=True) | Q(end__gte=first_month), start__lte=last_day)
        .values_list(
            "kind",
            Case(When(start__gte=first_month, then=TruncMonth("start"))),
            Case(When(end__lte=last_day, then=TruncMonth("end"))),
        )
        .annotate(n=Count("pk"))
    )
    counts = Counter()
    for kind, start_month, end_month, n in rows:
        counts[kind, "start", _month(start_month) or before] += n
        if end_month is not None:
            counts[kind, "end", _month(end_month)] += n
    return counts


def held_by_month(detainees, months, today):
    """[(counting day, in custody, under house arrest)], from one query.

    Held on day d: periods begun on or before d, less those ended on or before d (a period
    never ends before it begins, and [start, end) excludes its last day). Each month's day is
    its last, so a month's starts and ends all count. One person's periods of a kind never
    overlap (the timeline opens no second one while one is open), so periods count people.
    """
    if not months:
        return []
    days = [counting_day(month, today) for month in months]
    counts = period_counts(detainees, months[0], days[-1])
    result = []
    for month, day in zip(months, days, strict=True):
        held = {}
        for kind in (CUSTODY, HOUSE_ARREST):
            held[kind] = sum(
                n if edge == "start" else -n
                for (k, edge, m), n in counts.items()
                if k == kind and m <= month
            )
        result.append((day, held[CUSTODY], held[HOUSE_ARREST]))
    return result


def flows_by_month(detainees, months, today=None):
    """[(month, custody periods begun, custody periods ended)] from one query.

    A period begins with a detention (or a move from house arrest to custody) and ends with a
    release, a move to house arrest, a non-custodial sentence, exile or death.
    """
    if not months:
        return []
    last_day = counting_day(months[-1], today) if today else add_months(months[-1], 1)
    counts = period_counts(detainees, months[0], last_day)
    return [
        (month, counts[CUSTODY, "start", month], counts[CUSTODY, "end", month]) for month in months
    ]


# --- Those held now ---------------------------------------------------------------------------


def _held_now(detainees):
    return detainees.held().order_by().values("pk")


def by_occupation(detainees):
    """[(slug, name, people)] for those held now, most first."""
    # A person has an occupation at most once (the pair is unique), so rows count people.
    rows = (
        Detainee.occupations.through.objects.filter(detainee__in=_held_now(detainees))
        .values(slug=F("occupation__slug"), label=localized("occupation__name"))
        .annotate(n=Count("pk"))
        .order_by("-n", "label")
    )
    return [(r["slug"], r["label"], r["n"]) for r in rows]


def _open_memberships(detainees, today=None):
    """The published proceedings of those held now that are still open: a pardoned or served
    sentence no longer counts (`CaseDefendantQuerySet`, the listing's definition too)."""
    return (
        CaseDefendantQuerySet(CaseDefendant)
        .public()
        .open_on(today or timezone.localdate())
        .filter(detainee__in=_held_now(detainees))
    )


def _standing_charges(detainees):
    """Charges under an article standing now against someone held, in an open proceeding of a
    published case (`ChargeQuerySet.standing()`: the listing's "charged under")."""
    # A plain QuerySet: modeltranslation's values() would select (and group by) every column.
    return (
        ChargeQuerySet(Charge)
        .standing()
        .filter(defendant__in=_open_memberships(detainees), article__isnull=False)
        .order_by()
    )


def _article_sort_key(row):
    code, number, n = row
    return (-n, code, article_sort_key(number))


def articles(detainees):
    """(top level, detailed): [(code, article number, people)] for those held now, most first.

    Each article counts the people charged under it or any of its parts, each person once: what
    the listing's article filter returns (206 includes 206.3.2; 206.3 includes 206.3.2 too).
    Top level: the articles with no parent (206, 193-1); detailed: every article.

    One query, in SQL the ORM cannot write: the distinct (person, article) pairs of the
    standing charges are found once (a WITH clause), each article's ancestors up the parent
    chain (a recursive one), then the people counted per article. The pairs are two numbers,
    labelled only once counted: at 100,000 people, counting tens of thousands of pairs in
    Python took as long as the rest of the page.
    """
    pairs = (
        _standing_charges(detainees)
        .values(person=F("defendant__detainee_id"), article_pk=F("article_id"))
        .distinct()
    )
    labels = (
        QuerySet(LegalArticle)
        .values("id", "number", "parent_id", code_name=F("code__short_name"))
        .order_by()
    )
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    labels_sql, labels_params = labels.query.sql_with_params()
    table = LegalArticle._meta.db_table
    levels = {0: [], 1: []}
    with connections[pairs.db].cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE pairs AS ({pairs_sql}),
            up(article_id, ancestor_id) AS (
                SELECT DISTINCT article_pk, article_pk FROM pairs
                UNION ALL
                SELECT up.article_id, a.parent_id FROM up JOIN {table} a ON a.id = up.ancestor_id
                WHERE a.parent_id IS NOT NULL
            ),
            labels AS ({labels_sql})
            SELECT labels.parent_id IS NULL, code_name, number, COUNT(DISTINCT person)
            FROM pairs JOIN up ON up.article_id = pairs.article_pk
            JOIN labels ON labels.id = up.ancestor_id
            GROUP BY labels.parent_id IS NULL, code_name, number""",
            (*pairs_params, *labels_params),
        )
        for is_top, code, number, n in cursor.fetchall():
            levels[0].append((code, number, n))
            if is_top:
                levels[1].append((code, number, n))
    return sorted(levels[1], key=_article_sort_key), sorted(levels[0], key=_article_sort_key)


def by_article(detainees, top_level=False):
    """[(code, article number, people)] for those held now; top level: 206 for 206.3.2."""
    top, detailed = articles(detainees)
    return top if top_level else detailed


def by_case(detainees, limit=TOP_CASES):
    """[(slug, name, people)] for those held now in an open proceeding of a published case or
    of a case split off from it (each person once), the `limit` largest."""
    people = (
        _open_memberships(detainees)
        .in_case(OuterRef("pk"))
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("detainee_id", distinct=True))
        .values("n")
    )
    rows = (
        QuerySet(CaseEntry)
        .filter(state=State.PUBLISHED)
        .values("slug", label=localized("name"))
        .annotate(n=Coalesce(Subquery(people), 0))
        .filter(n__gt=0)
        .order_by("-n", "label")[:limit]
    )
    return [(r["slug"], r["label"], r["n"]) for r in rows]


def by_gender(detainees):
    """[(value, label, people)] for those held now, in the order of the choices."""
    counts = dict(
        detainees.held()
        .order_by()
        .values_list("gender")
        .annotate(n=Count("pk"))
        .values_list("gender", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Gender.choices]


def sentences(detainees):
    """Current custodial sentences of those held now: ([(bin, people)], life, total years)."""
    aggregates = {
        "total": Sum("sentence_months"),
        "life": Count("pk", filter=Q(sentence_kind=SentenceKind.LIFE)),
    }
    imprisonment = Q(sentence_kind=SentenceKind.IMPRISONMENT, sentence_months__isnull=False)
    for label, low, high in SENTENCE_BINS:
        condition = imprisonment & Q(sentence_months__gte=low)
        if high is not None:
            condition &= Q(sentence_months__lt=high)
        aggregates[label] = Count("pk", filter=condition)
    counts = (
        detainees.held()
        .filter(sentence_kind__in=[SentenceKind.IMPRISONMENT, SentenceKind.LIFE])
        .order_by()
        .aggregate(**aggregates)
    )
    bins = [(label, counts[label]) for label, _low, _high in SENTENCE_BINS]
    # Life sentences have no length: they are counted apart and add nothing to the total.
    total_years = round((counts["total"] or 0) / 12, 1)
    return bins, counts["life"], total_years


# --- Charts: the numbers, their table and their SVG -------------------------------------------


@dataclasses.dataclass
class Chart:
    slug: str
    title: str
    columns: list  # column headings of the table and the CSV
    rows: list  # tuples: label, then one number per series
    kind: str = "bars"  # bars (horizontal), lines or columns
    series: list = dataclasses.field(default_factory=list)  # names of the numeric columns
    note: str = ""
    svg: dict = dataclasses.field(default_factory=dict)


CHART_NAMES = [
    "held",
    "new-and-released",
    "occupations",
    "articles",
    "cases",
    "gender",
    "sentences",
]


def build_chart(name, detainees, months, today):
    """One chart's numbers (one query); None for an unknown name."""
    month_heading = _("Month")
    if name == "held":
        data = held_by_month(detainees, months, today)
        series = [_("In custody"), _("Under house arrest")]
        rows = [(day.isoformat(), c, h) for day, c, h in data]
        chart = Chart(name, _("People held on the last day of each month"),
                      [_("Day"), *series], rows, "lines", series)  # fmt: skip
    elif name == "new-and-released":
        data = flows_by_month(detainees, months, today)
        series = [_("Detained"), _("Released")]
        rows = [(month.strftime("%Y-%m"), s, e) for month, s, e in data]
        chart = Chart(name, _("Detentions and releases per month"),
                      [month_heading, *series], rows, "columns", series)  # fmt: skip
    elif name == "occupations":
        rows = [(label, n) for _slug, label, n in by_occupation(detainees)]
        chart = Chart(name, _("Held now, by occupation"), [_("Occupation"), _("People")], rows)
        chart.note = _("A person with several occupations is counted under each.")
    elif name == "articles":
        top, detailed = articles(detainees)
        rows = [(f"{code} {number}", n) for code, number, n in top]
        tops = {(code, number) for code, number, _n in top}
        rows += [
            (f"{code} {number}", n) for code, number, n in detailed if (code, number) not in tops
        ]
        chart = Chart(name, _("Held now, by legal article charged"),
                      [_("Article"), _("People")], rows)  # fmt: skip
        chart.note = _(
            "Articles first (206 includes 206.3.2), then their parts, each with its own parts. "
            "Charges dropped, or in a proceeding closed by a pardon, an acquittal or a sentence "
            "served, are not counted. A person charged under several articles is counted under "
            "each."
        )
    elif name == "cases":
        rows = [(label, n) for _slug, label, n in by_case(detainees)]
        chart = Chart(name, _("Held now, by case (the %(n)s largest)") % {"n": TOP_CASES},
                      [_("Case"), _("People")], rows)  # fmt: skip
    elif name == "gender":
        rows = [(str(label), n) for _value, label, n in by_gender(detainees)]
        chart = Chart(name, _("Held now, by gender"), [_("Gender"), _("People")], rows)
    elif name == "sentences":
        bins, life, total_years = sentences(detainees)
        labels = {
            "<1": _("under 1 year"), "1-3": _("1 to 3 years"), "3-5": _("3 to 5 years"),
            "5-7": _("5 to 7 years"), "7-10": _("7 to 10 years"), "10+": _("10 years or more"),
        }  # fmt: skip
        rows = [(labels[label], n) for label, n in bins] + [(_("life imprisonment"), life)]
        chart = Chart(name, _("Held now, by length of the current sentence"),
                      [_("Sentence"), _("People")], rows)  # fmt: skip
        chart.note = _(
            "Total of the current prison sentences of those held now: %(years)s years "
            "(life sentences not included). Bins include their lower bound: 3 years falls in "
            "“3 to 5 years”."
        ) % {"years": number_format(total_years, 1)}  # 7,5 in az and ru
    else:
        return None
    if not chart.series:
        chart.series = chart.columns[1:]
    chart.svg = SVG_BUILDERS[chart.kind](chart)
    return chart


# --- SVG geometry -----------------------------------------------------------------------------

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 16, 40


def _nice_max(value):
    """A round axis maximum at or above `value`: 1, 2, 5, 10, 20, 50…"""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def _y_ticks(top_value, plot_height):
    """Ticks at whole numbers (people are counted in ones): 4 or 5 steps, fewer below 4."""
    steps = next(n for n in (4, 5, 2, 1) if top_value % n == 0)
    return [
        {
            "y": round(TOP + plot_height * (1 - i / steps), 1),
            "label": f"{top_value * i // steps:d}",
        }
        for i in range(steps + 1)
    ]


def _x_labels(labels, xs):
    """About a dozen labels along the horizontal axis, whatever the number of months."""
    step = max(1, -(-len(labels) // 12))
    return [
        {"x": x, "label": label}
        for i, (x, label) in enumerate(zip(xs, labels, strict=True))
        if i % step == 0
    ]


def line_svg(chart):
    height = 280
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    n = len(chart.rows)
    top_value = _nice_max(max((max(r[1:]) for r in chart.rows), default=0))
    xs = [round(LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1) for i in range(n)]
    lines = []
    for s, name in enumerate(chart.series):
        points = [
            (x, round(TOP + plot_h * (1 - row[1 + s] / top_value), 1))
            for x, row in zip(xs, chart.rows, strict=True)
        ]
        lines.append({
            "name": name, "index": s,
            "points": " ".join(f"{x},{y}" for x, y in points),
            "dots": [{"x": x, "y": y} for x, y in points] if n <= 60 else [],
        })  # fmt: skip
    labels = [row[0][:7] for row in chart.rows]
    return {"width": WIDTH, "height": height, "lines": lines, "yticks": _y_ticks(top_value, plot_h),
            "xlabels": _x_labels(labels, xs), "left": LEFT, "right": WIDTH - RIGHT,
            "bottom": TOP + plot_h, "label_y": height - 12}  # fmt: skip


def columns_svg(chart):
    height = 280
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    n = max(len(chart.rows), 1)
    k = len(chart.series)
    top_value = _nice_max(max((max(r[1:]) for r in chart.rows), default=0))
    slot = plot_w / n
    bar_w = max(round(slot * 0.8 / k, 1), 0.5)
    bars, centres = [], []
    for i, row in enumerate(chart.rows):
        x0 = LEFT + slot * i + slot * 0.1
        centres.append(round(LEFT + slot * (i + 0.5), 1))
        for s in range(k):
            h = round(plot_h * row[1 + s] / top_value, 1)
            bars.append({"x": round(x0 + bar_w * s, 1), "y": round(TOP + plot_h - h, 1),
                         "width": bar_w, "height": h, "index": s,
                         "title": f"{row[0]}: {chart.series[s]} {row[1 + s]}"})  # fmt: skip
    return {"width": WIDTH, "height": height, "bars": bars, "yticks": _y_ticks(top_value, plot_h),
            "xlabels": _x_labels([r[0] for r in chart.rows], centres), "left": LEFT,
            "right": WIDTH - RIGHT, "bottom": TOP + plot_h, "label_y": height - 12,
            "legend": [{"name": n, "index": s} for s, n in enumerate(chart.series)]}  # fmt: skip


def bars_svg(chart):
    label_w, bar_h, gap = 220, 18, 6
    plot_w = WIDTH - label_w - 60
    top_value = max((row[1] for row in chart.rows), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(chart.rows):
        y = TOP + i * (bar_h + gap)
        bars.append({
            "label": label if len(label) <= 32 else label[:31] + "…", "value": value,
            "y": y, "text_y": y + bar_h - 4, "width": round(plot_w * value / top_value, 1),
            "value_x": round(label_w + plot_w * value / top_value + 4, 1),
        })  # fmt: skip
    height = TOP * 2 + max(len(chart.rows), 1) * (bar_h + gap)
    return {"width": WIDTH, "height": height, "bars": bars, "bar_x": label_w,
            "label_x": label_w - 8, "bar_h": bar_h}  # fmt: skip


SVG_BUILDERS = {"lines": line_svg, "columns": columns_svg, "bars": bars_svg}
