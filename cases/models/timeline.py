"""The timeline: events, custody periods, and what they say about a person now."""

import datetime
import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import (
    Precision,
    format_partial_date,
    not_before,
    precision_constraint,
    truncate_to_precision,
)
from .people import (
    CUSTODIAL_SENTENCES,
    Detainee,
    SentenceKind,
    Status,
    format_sentence,
)
from .proceedings import Case, Charge
from .vocabulary import (
    Court,
    Facility,
    Source,
)

# --- The timeline -----------------------------------------------------------------------------


SENTENCE_ONLY_ON_DECISIONS = _(
    "Only a verdict, an appeal, a cassation or a prosecutor's demand carries a sentence."
)


class Event(models.Model):
    class Kind(models.TextChoices):
        DETENTION = "detention", _("detention")
        REMAND = "remand", _("remand in custody")
        REMAND_EXTENSION = "remand_extension", _("remand extension")
        HOUSE_ARREST = "house_arrest", _("house arrest")
        POLICE_SUPERVISION = "police_supervision", _("police supervision")
        INDICTMENT = "indictment", _("indictment")
        TRIAL_START = "trial_start", _("trial start")
        COURT_RULING = "court_ruling", _("court ruling")
        PROSECUTOR_DEMAND = "prosecutor_demand", _("prosecutor's demand")
        VERDICT = "verdict", _("verdict")
        APPEAL = "appeal", _("appeal")
        CASSATION = "cassation", _("cassation")
        PARDON = "pardon", _("pardon")
        RELEASE = "release", _("release")
        TRANSFER = "transfer", _("transfer")
        HUNGER_STRIKE = "hunger_strike", _("hunger strike")
        ILL_TREATMENT = "ill_treatment", _("ill-treatment reported")
        TRAVEL_BAN = "travel_ban", _("travel ban")
        SUMMONS = "summons", _("summoned as a suspect")
        SEARCH = "search", _("search")
        FINE = "fine", _("fine")
        PRESSURE_ON_RELATIVES = "relatives_pressed", _("pressure on relatives")
        EXILE = "exile", _("exile")
        DEATH = "death", _("death")
        OTHER = "other", _("other")

    SENTENCE_KINDS = {Kind.PROSECUTOR_DEMAND, Kind.VERDICT, Kind.APPEAL, Kind.CASSATION}
    # Persecution that is not custody, nor a restriction with a status of its own.
    PERSECUTION_KINDS = {Kind.SUMMONS, Kind.SEARCH, Kind.FINE, Kind.PRESSURE_ON_RELATIVES}
    TERM_KINDS = {
        Kind.REMAND,
        Kind.REMAND_EXTENSION,
        Kind.HOUSE_ARREST,
        Kind.POLICE_SUPERVISION,
        Kind.TRAVEL_BAN,
    }

    detainee = models.ForeignKey(
        Detainee, verbose_name=_("detainee"), on_delete=models.CASCADE, related_name="events"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, help_text=_("Public."))
    date = models.DateField(
        _("date"), help_text=_("Public. For a date known to the month, any day of it.")
    )
    date_precision = models.CharField(
        _("date known to the"), max_length=5, choices=Precision, default=Precision.DAY
    )
    court = models.ForeignKey(
        Court,
        verbose_name=_("court"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("place of detention"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Public."))
    term_months = models.PositiveSmallIntegerField(
        _("term, months"),
        null=True,
        blank=True,
        help_text=_("Public. Length ordered by the court."),
    )
    term_days = models.PositiveSmallIntegerField(
        _("term, days"), null=True, blank=True, validators=[MaxValueValidator(366)]
    )
    sentence_kind = models.CharField(_("sentence"), max_length=20, choices=SentenceKind, blank=True)
    sentence_years = models.PositiveSmallIntegerField(_("sentence, years"), null=True, blank=True)
    sentence_months = models.PositiveSmallIntegerField(
        _("sentence, months"), null=True, blank=True, validators=[MaxValueValidator(11)]
    )
    in_absentia = models.BooleanField(_("in absentia"), default=False)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="events"
    )
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Staff only."))

    class Meta:
        ordering = ["detainee", "date", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["kind", "date"])]
        constraints = [
            precision_constraint("date", "event_date_precision"),
            models.CheckConstraint(
                condition=Q(sentence_months__isnull=True) | Q(sentence_months__lte=11),
                name="event_sentence_months_under_12",
            ),
            models.CheckConstraint(
                condition=Q(sentence_kind="")
                | Q(kind__in=["prosecutor_demand", "verdict", "appeal", "cassation"]),
                name="event_sentence_only_on_decisions",
                violation_error_message=SENTENCE_ONLY_ON_DECISIONS,
            ),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.get_kind_display()}"

    def clean(self):
        self.date = truncate_to_precision(self.date, self.date_precision)
        if self.sentence_kind and self.kind not in self.SENTENCE_KINDS:
            raise ValidationError({"sentence_kind": SENTENCE_ONLY_ON_DECISIONS})
        if (self.sentence_years or self.sentence_months) and not self.sentence_kind:
            raise ValidationError(
                {"sentence_kind": _("Say what kind of sentence this length is for.")}
            )

    @property
    def date_display(self):
        return format_partial_date(self.date, self.date_precision)

    @property
    def sentence_total_months(self):
        if self.sentence_years is None and self.sentence_months is None:
            return None
        return (self.sentence_years or 0) * 12 + (self.sentence_months or 0)

    @property
    def sentence_display(self):
        return format_sentence(self.sentence_kind, self.sentence_total_months)


class CustodyPeriod(models.Model):
    """A stretch of custody or house arrest, derived from the timeline for "held on" queries."""

    class Kind(models.TextChoices):
        CUSTODY = "custody", _("custody")
        HOUSE_ARREST = "house_arrest", _("house arrest")

    detainee = models.ForeignKey(Detainee, on_delete=models.CASCADE, related_name="custody_periods")
    kind = models.CharField(max_length=12, choices=Kind)
    start = models.DateField()
    start_precision = models.CharField(max_length=5, choices=Precision, default=Precision.DAY)
    end = models.DateField(null=True, blank=True, help_text=_("Empty while it lasts."))
    end_precision = models.CharField(max_length=5, choices=Precision, default=Precision.DAY)

    class Meta:
        ordering = ["detainee", "start"]
        indexes = [models.Index(fields=["kind", "start", "end"])]
        constraints = [
            not_before(
                "end",
                "start",
                "custodyperiod_end_not_before_start",
                _("A release cannot come before the detention."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}–{self.end or ''}"


# Order of events on the same day: a detention comes before the remand that follows it, a
# verdict before the release it orders.
_SAME_DAY_ORDER = {kind: n for n, kind in enumerate(Event.Kind)}
_CLOSING_KINDS = {Event.Kind.RELEASE, Event.Kind.PARDON}
_KNOWN_PARTS = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}


def _compare_events(a, b):
    """Earlier first, comparing dates only as far as both are known.

    "March 2024" and "15 March 2024" agree as far as both are known, so the kind decides (a
    detention before the release); a date known to the month is never taken to be the 1st.
    """
    parts_a = (a.date.year, a.date.month, a.date.day)[: _KNOWN_PARTS.get(a.date_precision, 3)]
    parts_b = (b.date.year, b.date.month, b.date.day)[: _KNOWN_PARTS.get(b.date_precision, 3)]
    known = min(len(parts_a), len(parts_b))
    if parts_a[:known] != parts_b[:known]:
        return -1 if parts_a[:known] < parts_b[:known] else 1
    for key in (lambda e: _SAME_DAY_ORDER[e.kind], lambda e: e.date, lambda e: e.pk or 0):
        if key(a) != key(b):
            return -1 if key(a) < key(b) else 1
    return 0


@dataclass
class DerivedTimeline:
    status: str = Status.UNKNOWN
    status_since: datetime.date | None = None
    status_since_precision: str = Precision.DAY
    periods: list = field(default_factory=list)
    sentence_kind: str = ""
    sentence_months: int | None = None
    problems: list = field(default_factory=list)

    def detainee_fields(self):
        custody = [p for p in self.periods if p["kind"] == CustodyPeriod.Kind.CUSTODY]
        current = custody[-1] if custody and custody[-1]["end"] is None else None
        closed = [p for p in custody if p["end"] is not None]
        return {
            "status": self.status,
            "status_since": self.status_since,
            "status_since_precision": self.status_since_precision,
            "first_detained_on": custody[0]["start"] if custody else None,
            "first_detained_on_precision": custody[0]["start_precision"]
            if custody
            else Precision.DAY,
            "last_detained_on": custody[-1]["start"] if custody else None,
            "last_detained_on_precision": (
                custody[-1]["start_precision"] if custody else Precision.DAY
            ),
            "in_custody_since": current["start"] if current else None,
            "in_custody_since_precision": current["start_precision"] if current else Precision.DAY,
            "released_on": closed[-1]["end"] if closed and not current else None,
            "released_on_precision": (
                closed[-1]["end_precision"] if closed and not current else Precision.DAY
            ),
            "custody_days_closed": sum((p["end"] - p["start"]).days for p in closed),
            "sentence_kind": self.sentence_kind,
            "sentence_months": self.sentence_months,
        }


def derive_timeline(events):
    """Walk a detainee's events in order and derive status, custody periods and sentence.

    A pure function of the events, so that the same rules serve saving, previewing a pending
    change and the tests. Problems (a release before any detention) are returned, not raised.
    """
    result = DerivedTimeline()
    open_period = {}  # kind -> the period dict still open
    on_trial = False

    def set_status(status, event):
        result.status = status
        result.status_since = event.date
        result.status_since_precision = event.date_precision

    def open_(kind, event):
        if kind not in open_period:
            period = {
                "kind": kind,
                "start": event.date,
                "start_precision": event.date_precision,
                "end": None,
                "end_precision": Precision.DAY,
            }
            open_period[kind] = period
            result.periods.append(period)

    def close(kind, event):
        period = open_period.pop(kind, None)
        if period is not None:
            # "Released in March 2024" after "detained on 15 March 2024": the release is stored
            # as the 1st, but the period cannot end before it began.
            period["end"] = max(event.date, period["start"])
            period["end_precision"] = event.date_precision

    def close_all(event):
        close(CustodyPeriod.Kind.CUSTODY, event)
        close(CustodyPeriod.Kind.HOUSE_ARREST, event)

    ordered = sorted(events, key=functools.cmp_to_key(_compare_events))
    detentions = [e for e in ordered if e.kind in {Event.Kind.DETENTION, Event.Kind.REMAND}]
    first_detention = detentions[0] if detentions else None
    detained_yet = False
    K = Event.Kind
    for event in ordered:
        kind = event.kind
        held = CustodyPeriod.Kind.CUSTODY in open_period
        detained_yet = detained_yet or event is first_detention
        if kind in {K.DETENTION, K.REMAND, K.REMAND_EXTENSION}:
            if (
                not held
                and CustodyPeriod.Kind.HOUSE_ARREST not in open_period
                and kind == K.DETENTION
            ):
                # A new arrest after a release starts a new proceeding.
                on_trial = False
                result.sentence_kind, result.sentence_months = "", None
            close(CustodyPeriod.Kind.HOUSE_ARREST, event)
            open_(CustodyPeriod.Kind.CUSTODY, event)
            if (
                result.status not in {Status.PRE_TRIAL, Status.ON_TRIAL, Status.IMPRISONED}
                or not held
            ):
                set_status(Status.ON_TRIAL if on_trial else Status.PRE_TRIAL, event)
        elif kind == K.HOUSE_ARREST:
            close(CustodyPeriod.Kind.CUSTODY, event)
            open_(CustodyPeriod.Kind.HOUSE_ARREST, event)
            set_status(Status.HOUSE_ARREST, event)
        elif kind == K.POLICE_SUPERVISION:
            close_all(event)
            set_status(Status.POLICE_SUPERVISION, event)
        elif kind == K.TRIAL_START:
            on_trial = True
            if result.status in {Status.PRE_TRIAL, Status.UNKNOWN}:
                set_status(Status.ON_TRIAL, event)
        elif kind in {K.VERDICT, K.APPEAL, K.CASSATION} and event.sentence_kind:
            on_trial = False
            result.sentence_kind = event.sentence_kind
            result.sentence_months = event.sentence_total_months
            if event.in_absentia:
                set_status(Status.IN_ABSENTIA, event)
            elif event.sentence_kind in CUSTODIAL_SENTENCES:
                close(CustodyPeriod.Kind.HOUSE_ARREST, event)
                open_(CustodyPeriod.Kind.CUSTODY, event)
                set_status(Status.IMPRISONED, event)
            else:
                close_all(event)
                set_status(Status.RELEASED, event)
        elif kind in _CLOSING_KINDS:
            if first_detention is not None and not detained_yet:
                result.problems.append(
                    _("A %(kind)s on %(date)s comes before the first detention (%(first)s).")
                    % {
                        "kind": event.get_kind_display(),
                        "date": event.date_display,
                        "first": first_detention.date_display,
                    }
                )
            close_all(event)
            set_status(Status.PARDONED if kind == K.PARDON else Status.RELEASED, event)
        elif kind == K.TRAVEL_BAN:
            if not open_period:
                set_status(Status.TRAVEL_BAN, event)
        elif kind in Event.PERSECUTION_KINDS:
            # Never custody: a person summoned, searched, fined or whose relatives are pressed
            # is "persecuted, not detained" unless a status that says more holds.
            if not open_period and result.status in {
                Status.UNKNOWN, Status.RELEASED, Status.PARDONED, Status.PERSECUTED,
            }:  # fmt: skip
                set_status(Status.PERSECUTED, event)
        elif kind == K.EXILE:
            close_all(event)
            set_status(Status.EXILE, event)
        elif kind == K.DEATH:
            set_status(Status.DIED_IN_CUSTODY if open_period else Status.DIED, event)
            close_all(event)
    return result


# A proceeding's own events: these close it; these, after a closing, open it again.
_DECISIONS = {Event.Kind.VERDICT, Event.Kind.APPEAL, Event.Kind.CASSATION}
_REOPENING = {
    Event.Kind.DETENTION, Event.Kind.REMAND, Event.Kind.REMAND_EXTENSION, Event.Kind.INDICTMENT,
    Event.Kind.TRIAL_START,
}  # fmt: skip


def proceeding_closures(events, charges):
    """{case id: (closed_on, precision)} for each of a person's proceedings that has closed.

    A pure function, like derive_timeline(). A proceeding is the person's part in one case; it
    closes with a pardon, an acquittal, a release after a sentence (the sentence served), all
    recorded as events of that case, or when every charge in it was dropped or ended in an
    acquittal (on the date of the last such row; None when none is dated). A later detention,
    remand, indictment or trial in the same case opens it again. `charges` are (case id, key,
    action, date, date precision) rows, the key being the article or the description.
    """
    closures = {}
    by_case = {}
    for event in sorted(events, key=functools.cmp_to_key(_compare_events)):
        if event.case_id is not None:
            by_case.setdefault(event.case_id, []).append(event)
    for case_id, case_events in by_case.items():
        closed, sentenced = None, False
        for event in case_events:
            acquitted = event.kind in _DECISIONS and event.sentence_kind == SentenceKind.ACQUITTAL
            if (
                event.kind == Event.Kind.PARDON
                or acquitted
                or (event.kind == Event.Kind.RELEASE and sentenced)
            ):
                closed = (event.date, event.date_precision)
            elif event.kind in _DECISIONS and event.sentence_kind:
                sentenced = True
            elif event.kind in _REOPENING and closed:
                closed, sentenced = None, False
        if closed:
            closures[case_id] = closed
    latest = {}
    for case_id, key, action, date, precision in sorted(
        charges, key=lambda c: c[3] or datetime.date.max
    ):
        latest.setdefault(case_id, {})[key] = (action, date, precision)
    for case_id, rows in latest.items():
        if case_id in closures or not all(a in Charge.ENDING for a, _d, _p in rows.values()):
            continue
        dated = [(d, p) for _a, d, p in rows.values() if d is not None]
        closures[case_id] = max(dated) if dated else (None, Precision.DAY)
    return closures
