"""Generate plainly synthetic detainees for load tests and benchmarks.

    manage.py generate_synthetic 100000 [--seed 1] [--batch 2000] [--clear] [--allow-sqlite]

Everything it writes is fictional and marked so: people are called "Testname Synthov 000123",
their slugs are "synthetic-000123", every detainee and case has `is_synthetic=True`, and the
vocabulary it adds (organizations, courts, places of detention, a legal code, sources, an
execution group) has slugs starting with "synthetic-" or URLs under synthetic.example.org.
The same seed and count give the same people, timelines and statuses (dates are generated up to a
fixed END date, not today, for that reason).

Synthetic data lives in its own database (SPEC rule 5): the command refuses a database that holds
any non-synthetic detainee or case, and the default SQLite file of `make run` unless
--allow-sqlite is given.

Speed: detainees and their facts are written with bulk_create, a batch of detainees at a time,
all in one transaction (a failed run changes nothing). bulk_create bypasses django-simple-history,
so those rows have no history; that is acceptable for synthetic load data, and one more reason it
must never share a database with real data. (The small vocabulary is made with get_or_create and
has history.) Derived fields are not computed with refresh_derived(), a few queries per detainee,
but with the pure function it uses, `derive_timeline()`, on the unsaved events.
"""

import datetime
import random
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases import models as m
from cases.demo import OCCUPATIONS

K = m.Event.Kind
D = datetime.date
START = D(2010, 1, 1)
# Fixed rather than today, so that a seed always gives the same timelines and statuses.
END = D(2026, 6, 30)
LATEST_DETENTION = D(2026, 3, 31)

SLUG_PREFIX = "synthetic-"
SOURCE_URL_PREFIX = "https://synthetic.example.org/"
LEGAL_CODE_SLUG = "synthetic-code"
GROUP_SLUG = "synthetic-group"

OCCUPATION_WEIGHTS = {
    "journalist": 3,
    "activist": 3,
    "blogger": 2,
    "opposition-politician": 2,
    "human-rights-defender": 2,
    "religious-believer": 2,
    "election-monitor": 1,
    "academic": 1,
    "lawyer": 1,
    "trade-unionist": 1,
}
CONVENTION_ARTICLES = {
    "5§1": "Right to liberty",
    "5§4": "Speedy review",
    "18+5": "Ulterior purpose",
}


def _builder(model):
    """A fast constructor for unsaved rows of `model`.

    `Model(**kwargs)` costs about 30 µs on a translated model, because modeltranslation rewrites
    every keyword; positional values in field order (what Django's own from_db() passes) cost
    half that, which is a minute saved over a million events.
    """
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}

    def build(**values):
        unknown = values.keys() - defaults.keys()
        if unknown:
            raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
        row = defaults | values
        return model(*[row[name] for name in names])

    return build


def _translated(field, text):
    """Values for a modeltranslation field: the original column and English; NULL when empty."""
    return {field: text, f"{field}_en": text or None}


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


class Progress:
    """One line on stderr, rewritten with \\r: a bar, the count, the rate and the time left."""

    def __init__(self, total, out, width=30):
        self.total, self.out, self.width = total, out, width
        self.started = time.perf_counter()

    def update(self, done):
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed else 0
        left = (self.total - done) / rate if rate else 0
        filled = int(self.width * done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(
            f"\r[{bar}] {done:,}/{self.total:,} detainees  {rate:,.0f}/s  "
            f"elapsed {_duration(elapsed)}  left {_duration(left)} ",
            ending="",
        )
        self.out.flush()

    def finish(self):
        self.out.write("")


def _duration(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


# --- Safety -----------------------------------------------------------------------------------


def check_target(*, allow_sqlite=False):
    """Refuse a database that holds real entries, and the SQLite file `make run` uses."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and not allow_sqlite:
        default_file = (Path(settings.BASE_DIR) / "db.sqlite3").resolve()
        if str(name) and Path(str(name)).resolve() == default_file:
            raise CommandError(
                f"Refusing to write synthetic data to {default_file}, the database of `make run`. "
                "Synthetic data lives in its own database: set DATABASE_URL to another one "
                "(e.g. postgres://postgres@127.0.0.1:5432/tracker_bench), "
                "or pass --allow-sqlite if this file is really a scratch copy."
            )
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            f"The database {name!s} has unapplied migrations: run `manage.py migrate` first."
        )
    try:
        real_detainees = m.Detainee.objects.filter(is_synthetic=False).count()
        real_cases = m.Case.objects.filter(is_synthetic=False).count()
    except DatabaseError as error:
        raise CommandError(
            f"Cannot read the database {name!s} ({error}). Run `manage.py migrate` first."
        ) from error
    if real_detainees or real_cases:
        raise CommandError(
            f"Refusing to touch the database {name!s}: it holds {real_detainees} real "
            f"(non-synthetic) detainee(s) and {real_cases} real case(s). Synthetic data lives in "
            "its own database (SPEC rule 5): point DATABASE_URL at an empty database."
        )


def clear_synthetic():
    """Delete every synthetic row, and only those. Returns the number of rows deleted.

    Uses raw DELETEs (QuerySet._raw_delete) in dependency order: a plain delete() would load
    every row into memory and write a history row for each, because simple-history listens to
    deletions. Real rows that point at a synthetic one make the foreign key fail, loudly,
    rather than be deleted with it.
    """
    db = connection.alias
    synthetic_apps = list(
        m.EchrApplication.objects.filter(applicants__is_synthetic=True)
        .exclude(applicants__is_synthetic=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    detainee = {"detainee__is_synthetic": True}
    steps = [
        m.Charge.sources.through.objects.filter(charge__defendant__detainee__is_synthetic=True),
        m.Charge.objects.filter(defendant__detainee__is_synthetic=True),
        m.CaseDefendant.sources.through.objects.filter(casedefendant__detainee__is_synthetic=True),
        m.CaseDefendant.objects.filter(**detainee),
        m.Event.sources.through.objects.filter(event__detainee__is_synthetic=True),
        m.Event.objects.filter(**detainee),
        m.Affiliation.sources.through.objects.filter(affiliation__detainee__is_synthetic=True),
        m.Affiliation.objects.filter(**detainee),
        m.DetaineeName.sources.through.objects.filter(detaineename__detainee__is_synthetic=True),
        m.DetaineeName.objects.filter(**detainee),
        m.DetaineeOccupation.sources.through.objects.filter(
            detaineeoccupation__detainee__is_synthetic=True
        ),
        m.DetaineeOccupation.objects.filter(**detainee),
        m.Contact.objects.filter(**detainee),
        m.CustodyPeriod.objects.filter(**detainee),
        m.PendingChange.objects.filter(**detainee),
        *_entry_links(m.Detainee),
        m.EchrApplication.applicants.through.objects.filter(echrapplication__in=synthetic_apps),
        m.EchrApplication.violations.through.objects.filter(echrapplication__in=synthetic_apps),
        m.EchrApplication.sources.through.objects.filter(echrapplication__in=synthetic_apps),
        m.EchrApplication.objects.filter(pk__in=synthetic_apps),
        m.Detainee.objects.filter(is_synthetic=True),
        *_entry_links(m.Case),
        m.PendingChange.objects.filter(case__is_synthetic=True),
        m.Case.objects.filter(is_synthetic=True),
        m.Source.objects.filter(url__startswith=SOURCE_URL_PREFIX),
        m.ExecutionGroup.sources.through.objects.filter(
            executiongroup__slug__startswith=SLUG_PREFIX
        ),
        m.CmDecision.objects.filter(group__slug__startswith=SLUG_PREFIX),
        m.ExecutionGroup.objects.filter(slug__startswith=SLUG_PREFIX),
        m.Organization.objects.filter(slug__startswith=SLUG_PREFIX),
        m.Court.objects.filter(slug__startswith=SLUG_PREFIX),
        m.Facility.objects.filter(slug__startswith=SLUG_PREFIX),
        m.LegalArticle.objects.filter(code__slug=LEGAL_CODE_SLUG),
        m.LegalCode.objects.filter(slug=LEGAL_CODE_SLUG),
    ]
    deleted = 0
    with transaction.atomic():
        m.ExecutionGroup.objects.filter(lead_application__in=synthetic_apps).update(
            lead_application=None
        )
        for queryset in steps:
            deleted += queryset._raw_delete(db) or 0  # None when nothing can match
    return deleted


def _entry_links(model):
    """The rows of every plain many-to-many table (occupations, sources...) of synthetic entries."""
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        if through._meta.auto_created:
            yield through.objects.filter(**{f"{field.m2m_field_name()}__is_synthetic": True})


# --- The generator ----------------------------------------------------------------------------


class Generator:
    """Builds synthetic rows from one random.Random(seed) stream, in a fixed order."""

    def __init__(self, count, seed):
        self.count = count
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.totals = Counter()
        self.build = {
            model: _builder(model)
            for model in [
                m.Detainee,
                m.DetaineeName,
                m.Event,
                m.CustodyPeriod,
                m.CaseDefendant,
                m.Charge,
                m.Affiliation,
                m.EchrApplication,
                m.Case,
            ]
        }
        self.through = {
            "occupations": m.Detainee.occupations.through,
            "detainee_sources": m.Detainee.sources.through,
            "event_sources": m.Event.sources.through,
            "applicants": m.EchrApplication.applicants.through,
            "violations": m.EchrApplication.violations.through,
        }

    # Vocabulary: small, created with get_or_create (so with history), kept by --clear
    # when it is not synthetic (occupations and Convention articles).

    def vocabulary(self):
        rng = self.rng
        self.occupations = {
            slug: m.Occupation.objects.get_or_create(slug=slug, defaults={"name_en": name})[0].pk
            for slug, name in OCCUPATIONS.items()
        }
        self.occupation_slugs = list(OCCUPATION_WEIGHTS)
        self.occupation_weights = list(OCCUPATION_WEIGHTS.values())
        self.violations = [
            m.ConventionArticle.objects.get_or_create(code=code, defaults={"title_en": title})[0].pk
            for code, title in CONVENTION_ARTICLES.items()
        ]
        n_orgs = max(5, min(50, self.count // 2000))
        self.organizations = [
            self._vocab(
                m.Organization,
                f"{SLUG_PREFIX}org-{i:02d}",
                name_en=f"Synthetic Organization {i:02d}",
                abbreviation=f"SO{i:02d}",
                website=f"{SOURCE_URL_PREFIX}org-{i:02d}",
            )
            for i in range(1, n_orgs + 1)
        ]
        self.courts = [
            self._vocab(m.Court, f"{SLUG_PREFIX}court-{i:02d}", name_en=f"Synthetic Court No. {i}")
            for i in range(1, 13)
        ]
        self.appeal_court = self._vocab(
            m.Court, f"{SLUG_PREFIX}court-appeal", name_en="Synthetic Court of Appeal"
        )
        self.supreme_court = self._vocab(
            m.Court, f"{SLUG_PREFIX}court-supreme", name_en="Synthetic Supreme Court"
        )
        facilities = {}
        for kind, label, n in [
            (m.Facility.Kind.POLICE, "Police Station", 6),
            (m.Facility.Kind.PRETRIAL, "Pre-trial Centre", 4),
            (m.Facility.Kind.PRISON, "Prison", 10),
        ]:
            facilities[kind] = [
                self._vocab(
                    m.Facility,
                    f"{SLUG_PREFIX}{kind}-{i:02d}",
                    name_en=f"Synthetic {label} No. {i}",
                    kind=kind,
                    location_en="Synthetic City",
                )
                for i in range(1, n + 1)
            ]
        self.facilities = facilities

        code, _created = m.LegalCode.objects.get_or_create(
            slug=LEGAL_CODE_SLUG,
            defaults={"name_en": "Synthetic Criminal Code", "short_name": "SCC", "country": "XX"},
        )
        numbers = []
        for top in range(101, 113):
            numbers.append(str(top))
            for part in (1, 2):
                numbers.append(f"{top}.{part}")
                if top % 2 and part == 1:
                    numbers += [f"{top}.1.1", f"{top}.1.2"]
        self.articles = [
            m.LegalArticle.objects.get_or_create(
                code=code, number=number, defaults={"title_en": f"Synthetic offence {number}"}
            )[0].pk
            for number in numbers
        ]
        self.group = self._vocab(
            m.ExecutionGroup,
            GROUP_SLUG,
            name_en="Synthetic execution group",
            supervision=m.ExecutionGroup.Supervision.ENHANCED,
        )

        n_cases = max(5, min(500, self.count // 200))
        sources = m.Source.objects.bulk_create(
            m.Source(
                url=f"{SOURCE_URL_PREFIX}case-{i:04d}",
                title=f"Synthetic report on synthetic case {i:04d}",
                publisher="Synthetic News",
                language="en",
                confidential=rng.random() < 0.05,
            )
            for i in range(1, n_cases + 1)
        )
        self.cases = []  # (case pk, court pk, opened on, source pk)
        roots = []
        build = self.build[m.Case]
        for i in range(1, n_cases + 1):
            opened = START + datetime.timedelta(days=rng.randrange((LATEST_DETENTION - START).days))
            parent = rng.choice(roots) if roots and rng.random() < 0.1 else None
            state = self._state()
            case = build(
                slug=f"{SLUG_PREFIX}case-{i:04d}",
                **_translated("name", f"Synthetic case {i:04d}"),
                **_translated("investigating_body", "Synthetic Investigations Service"),
                **_translated("description", "A synthetic case for load tests."),
                case_number=f"SYN-{i:05d}",
                court_id=rng.choice(self.courts),
                opened_on=opened,
                state=state,
                is_synthetic=True,
                published_at=self.now if state != m.State.DRAFT else None,
                updated_at=self.now if state != m.State.DRAFT else None,
                retraction_reason="Synthetic retraction." if state == m.State.RETRACTED else "",
            )
            case.parent_index = parent
            if parent is None:
                roots.append(i - 1)
            self.cases.append(case)
        # Parents first, so that split-off cases can point at their pk.
        root_cases = [c for c in self.cases if c.parent_index is None]
        m.Case.objects.bulk_create(root_cases)
        for case in self.cases:
            if case.parent_index is not None:
                case.parent_id = self.cases[case.parent_index].pk
        m.Case.objects.bulk_create([c for c in self.cases if c.parent_index is not None])
        self.cases = [
            (case.pk, case.court_id, case.opened_on, source.pk)
            for case, source in zip(self.cases, sources, strict=True)
        ]
        self.totals["cases"] = n_cases
        self.app_numbers = set(m.EchrApplication.objects.values_list("number", flat=True))
        self.app_counters = Counter()

    def _vocab(self, model, slug, **values):
        return model.objects.get_or_create(slug=slug, defaults=values)[0].pk

    def _state(self):
        r = self.rng.random()
        if r < 0.025:
            return m.State.DRAFT
        if r < 0.04:
            return m.State.RETRACTED
        return m.State.PUBLISHED

    # One detainee: a dict of unsaved rows, linked to the detainee once it has a pk.

    def detainee(self, n):
        rng = self.rng
        case_pk, court_pk, opened, source_pk = rng.choice(self.cases)
        female = rng.random() < 0.3
        surname = "Synthova" if female else "Synthov"
        name = f"Testname {surname} {n:06d}"
        other_names = []
        if rng.random() < 0.5:
            other_names.append(
                ("Тестнейм " + ("Синтова" if female else "Синтов") + f" {n:06d}", "ru", "cyrillic")
            )
        if rng.random() < 0.25:
            other_names.append((f"Testnamə {surname} {n:06d}", "az", "latin"))

        latest = min(LATEST_DETENTION, opened + datetime.timedelta(days=720))
        d0 = opened + datetime.timedelta(days=rng.randrange(max(1, (latest - opened).days)))
        events = self._timeline(d0, case_pk, court_pk, source_pk)
        derived = m.derive_timeline(events)
        assert not derived.problems, derived.problems

        gender = m.Gender.FEMALE if female else m.Gender.MALE
        if rng.random() < 0.05:
            gender = m.Gender.UNKNOWN
        born, born_precision = None, m.Precision.YEAR
        if rng.random() < 0.9:
            born = D(rng.randint(1950, 2002), 1, 1)
            if rng.random() < 0.3:
                born = born.replace(month=rng.randint(1, 12), day=rng.randint(1, 28))
                born_precision = m.Precision.DAY
        state = self._state()
        detainee = self.build[m.Detainee](
            name=name,
            slug=f"{SLUG_PREFIX}{n:06d}",
            gender=gender,
            born=born,
            born_precision=born_precision,
            **_translated("bio", f"A synthetic person, number {n}, generated for load tests."),
            state=state,
            is_synthetic=True,
            published_at=self.now if state != m.State.DRAFT else None,
            updated_at=self.now if state != m.State.DRAFT else None,
            retraction_reason="Synthetic retraction." if state == m.State.RETRACTED else "",
            **derived.detainee_fields(),
        )
        detainee.search_text = detainee.build_search_text(
            other_names=[name for name, _lang, _script in other_names]
        )

        first = rng.choices(self.occupation_slugs, self.occupation_weights)[0]
        occupations = [first]
        if rng.random() < 0.3:
            second = rng.choices(self.occupation_slugs, self.occupation_weights)[0]
            if second != first:
                occupations.append(second)

        affiliation = None
        if rng.random() < 0.3:
            start = D(rng.randint(2000, d0.year), 1, 1)
            role = rng.choice(["member", "member", "member", "chair", "founder", ""])
            affiliation = self.build[m.Affiliation](
                organization_id=rng.choice(self.organizations),
                **_translated("role", role),
                start=start,
                start_precision=m.Precision.YEAR,
            )

        return {
            "detainee": detainee,
            "names": [
                self.build[m.DetaineeName](
                    name=other,
                    language=language,
                    script=script,
                    kind=m.DetaineeName.Kind.NATIVE
                    if language == "az"
                    else m.DetaineeName.Kind.TRANSLITERATION,
                )
                for other, language, script in other_names
            ],
            "events": events,
            "periods": [self.build[m.CustodyPeriod](**period) for period in derived.periods],
            "occupations": [self.occupations[slug] for slug in occupations],
            "affiliation": affiliation,
            "membership": self._membership(case_pk, events),
            "application": self._application(name, events),
            "source": source_pk,
        }

    def _timeline(self, d0, case_pk, court_pk, source_pk):
        """A plausible walk from arrest to verdict and release, cut at END."""
        rng = self.rng
        steps = []
        day = d0

        def add(kind, date, **extra):
            steps.append((kind, date, extra))
            return date

        def later(low, high):
            nonlocal day
            day += datetime.timedelta(days=rng.randint(low, high))
            return day

        court = {"court_id": court_pk}
        imprisonment = m.SentenceKind.IMPRISONMENT

        if rng.random() < 0.02:
            # Abroad: charged and sentenced in absentia.
            add(K.EXILE, day)
            add(K.INDICTMENT, later(30, 120))
            add(K.TRIAL_START, later(60, 200), **court)
            add(
                K.VERDICT,
                later(20, 90),
                sentence_kind=imprisonment,
                sentence_years=rng.randint(5, 12),
                in_absentia=True,
                **court,
            )
            return self._events(steps, case_pk, source_pk)

        add(K.DETENTION, day, facility_id=rng.choice(self.facilities[m.Facility.Kind.POLICE]))
        term = rng.choice([3, 4])
        pretrial = rng.choice(self.facilities[m.Facility.Kind.PRETRIAL])
        add(K.REMAND, later(1, 2), term_months=term, facility_id=pretrial, **court)
        house_arrest = rng.random() < 0.1
        if rng.random() < 0.3:
            add(K.COURT_RULING, later(5, 20), description="Appeal against remand rejected.")
        for _ in range(0 if house_arrest else rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])):
            add(K.REMAND_EXTENSION, later(term * 30 - 10, term * 30), term_months=term, **court)
            term = rng.choice([2, 3, 4])
        if house_arrest:
            add(K.HOUSE_ARREST, later(20, 80), term_months=rng.choice([3, 4, 6]), **court)
        elif rng.random() < 0.12:
            add(K.HUNGER_STRIKE, later(5, 40))
        add(K.INDICTMENT, later(10, 45))
        add(K.TRIAL_START, later(14, 60), **court)
        years = rng.randint(2, 9)
        if rng.random() < 0.8:
            add(
                K.PROSECUTOR_DEMAND,
                later(30, 150),
                sentence_kind=imprisonment,
                sentence_years=years + rng.randint(0, 2),
                **court,
            )
        months = rng.choice([0, 0, 0, 6])
        if house_arrest and rng.random() < 0.6:
            kind = rng.choice([m.SentenceKind.SUSPENDED, m.SentenceKind.RESTRICTION])
        elif rng.random() < 0.02:
            kind, years, months = m.SentenceKind.ACQUITTAL, None, None
        else:
            kind = imprisonment
        verdict = add(
            K.VERDICT,
            later(5, 30),
            sentence_kind=kind,
            sentence_years=years,
            sentence_months=months,
            **court,
        )
        if kind != imprisonment:
            if rng.random() < 0.3:
                add(K.TRAVEL_BAN, later(1, 30), term_months=12)
            return self._events(steps, case_pk, source_pk)

        if rng.random() < 0.7:
            if years >= 3 and rng.random() < 0.3:
                years -= 1
            sentence = {"sentence_kind": kind, "sentence_years": years, "sentence_months": months}
            add(K.APPEAL, later(60, 150), court_id=self.appeal_court, **sentence)
            if rng.random() < 0.3:
                add(K.CASSATION, later(120, 300), court_id=self.supreme_court, **sentence)
        if rng.random() < 0.8:
            add(
                K.TRANSFER,
                later(20, 90),
                facility_id=rng.choice(self.facilities[m.Facility.Kind.PRISON]),
            )
        if rng.random() < 0.1:
            add(K.ILL_TREATMENT, later(30, 400))
        if rng.random() < 0.08:
            add(K.HUNGER_STRIKE, later(30, 300))
        if rng.random() < 0.004:
            add(K.DEATH, later(100, 900))
            return self._events(steps, case_pk, source_pk)

        # Pre-trial custody counts towards the sentence; house arrest does not here.
        custody_from = verdict if house_arrest else d0
        due = _add_months(custody_from, years * 12 + (months or 0))
        if rng.random() < 0.2:
            add(K.PARDON, later(30, max(31, (due - day).days)))
        else:
            day = max(due, day + datetime.timedelta(days=1))
            add(K.RELEASE, day)
        if rng.random() < 0.15:
            add(K.TRAVEL_BAN, later(1, 10), term_months=6)
        if rng.random() < 0.03:
            # Arrested again: a new proceeding.
            add(
                K.DETENTION,
                later(200, 1500),
                facility_id=rng.choice(self.facilities[m.Facility.Kind.POLICE]),
            )
            add(K.REMAND, later(1, 2), term_months=4, facility_id=pretrial, **court)
        return self._events(steps, case_pk, source_pk)

    def _events(self, steps, case_pk, source_pk):
        """Unsaved events up to END; some dates known only to the month or the year.

        Dates strictly increase, and a date made coarser never falls on or before the previous
        one, so that the order saved is the order derived (refresh_derived() sorts by date).
        """
        rng = self.rng
        build = self.build[m.Event]
        events, previous = [], None
        for kind, date, extra in steps:
            if date > END:
                break
            r = rng.random()
            precision = m.Precision.YEAR if r < 0.02 else m.Precision.MONTH if r < 0.1 else None
            if precision:
                coarse = m.truncate_to_precision(date, precision)
                if previous is None or coarse > previous:
                    date = coarse
                else:
                    precision = None
            description = extra.pop("description", "")
            if kind in {K.DETENTION, K.VERDICT, K.RELEASE}:
                description = f"Synthetic {K(kind).label} for load tests."
            event = build(
                kind=kind,
                date=date,
                date_precision=precision or m.Precision.DAY,
                case_id=case_pk,
                **_translated("description", description),
                **extra,
            )
            event.source_id = source_pk if kind in {K.DETENTION, K.EXILE} else None
            events.append(event)
            previous = date
        return events

    def _membership(self, case_pk, events):
        rng = self.rng
        first = events[0]
        membership = self.build[m.CaseDefendant](
            case_id=case_pk,
            role=m.CaseDefendant.Role.SUSPECT
            if rng.random() < 0.1
            else m.CaseDefendant.Role.ACCUSED,
            since=first.date,
            since_precision=first.date_precision,
        )
        article = rng.choice(self.articles)
        second_article = rng.choice([a for a in self.articles if a != article])
        by_kind = {event.kind: event for event in events}
        later_event = by_kind.get(K.INDICTMENT, first)
        Action = m.Charge.Action
        build = self.build[m.Charge]
        charges = [
            build(
                article_id=article,
                action=Action.BROUGHT,
                date=first.date,
                date_precision=first.date_precision,
            )
        ]
        verdict = by_kind.get(K.VERDICT)
        r = rng.random()
        if verdict and verdict.sentence_kind == m.SentenceKind.IMPRISONMENT and r < 0.3:
            second = {"article_id": article, "action": Action.CONVICTED, "event": verdict}
        elif r < 0.45:
            second = {
                "article_id": second_article,
                "action": Action.REQUALIFIED,
                "requalified_from_id": article,
                "event": later_event,
            }
        else:
            second = {"article_id": second_article, "action": Action.ADDED, "event": later_event}
        event = second.pop("event")
        charges.append(build(date=event.date, date_precision=event.date_precision, **second))
        return membership, charges

    def _application(self, name, events):
        rng = self.rng
        if rng.random() >= 0.1:
            return None
        lodged = events[0].date + datetime.timedelta(days=rng.randint(200, 600))
        if lodged > END:
            return None
        year = lodged.year % 100
        self.app_counters[year] += 1
        number = f"9{self.app_counters[year]:04d}/{year:02d}"
        if self.app_counters[year] > 9999 or number in self.app_numbers:
            return None
        self.app_numbers.add(number)
        communicated = judgment = final = None
        if rng.random() < 0.5:
            communicated = lodged + datetime.timedelta(days=rng.randint(300, 900))
            if rng.random() < 0.4:
                judgment = communicated + datetime.timedelta(days=rng.randint(300, 900))
                final = judgment + datetime.timedelta(days=91)
        dates = [d if d and d <= END else None for d in (communicated, judgment, final)]
        communicated, judgment, final = dates
        judged = judgment is not None
        application = self.build[m.EchrApplication](
            number=number,
            **_translated("title", f"{name} v. Syntheland"),
            lodged_on=lodged,
            communicated_on=communicated,
            judgment_on=judgment,
            final_on=final,
            group_id=self.group if judged else None,
        )
        violations = rng.sample(self.violations, rng.randint(1, 3)) if judged else []
        return application, violations

    # Writing a batch.

    def write(self, bundles):
        detainees = [b["detainee"] for b in bundles]
        m.Detainee.objects.bulk_create(detainees, batch_size=1000)
        names, events, periods, memberships, affiliations, apps = [], [], [], [], [], []
        occupations, detainee_sources = [], []
        Through = self.through
        for bundle in bundles:
            pk = bundle["detainee"].pk
            for row in bundle["names"] + bundle["events"] + bundle["periods"]:
                row.detainee_id = pk
            names += bundle["names"]
            events += bundle["events"]
            periods += bundle["periods"]
            membership, charges = bundle["membership"]
            membership.detainee_id = pk
            memberships.append((membership, charges))
            if bundle["affiliation"]:
                bundle["affiliation"].detainee_id = pk
                affiliations.append(bundle["affiliation"])
            if bundle["application"]:
                apps.append((bundle["application"], pk))
            occupations += [
                Through["occupations"](detainee_id=pk, occupation_id=o)
                for o in bundle["occupations"]
            ]
            detainee_sources.append(
                Through["detainee_sources"](detainee_id=pk, source_id=bundle["source"])
            )
        m.DetaineeName.objects.bulk_create(names, batch_size=2000)
        m.Event.objects.bulk_create(events, batch_size=2000)
        m.CustodyPeriod.objects.bulk_create(periods, batch_size=2000)
        m.Affiliation.objects.bulk_create(affiliations, batch_size=2000)
        m.CaseDefendant.objects.bulk_create([mem for mem, _c in memberships], batch_size=2000)
        charges = []
        for membership, rows in memberships:
            for charge in rows:
                charge.defendant_id = membership.pk
                charges.append(charge)
        m.Charge.objects.bulk_create(charges, batch_size=2000)
        m.EchrApplication.objects.bulk_create([app for (app, _v), _pk in apps], batch_size=2000)
        Through["occupations"].objects.bulk_create(occupations, batch_size=5000)
        Through["detainee_sources"].objects.bulk_create(detainee_sources, batch_size=5000)
        Through["event_sources"].objects.bulk_create(
            [
                Through["event_sources"](event_id=e.pk, source_id=e.source_id)
                for e in events
                if e.source_id
            ],
            batch_size=5000,
        )
        Through["applicants"].objects.bulk_create(
            [Through["applicants"](echrapplication_id=a.pk, detainee_id=pk) for (a, _v), pk in apps]
        )
        Through["violations"].objects.bulk_create(
            [
                Through["violations"](echrapplication_id=a.pk, conventionarticle_id=v)
                for (a, violations), _pk in apps
                for v in violations
            ]
        )
        totals = self.totals
        totals["detainees"] += len(detainees)
        totals.update(d.state for d in detainees)
        totals["events"] += len(events)
        totals["charges"] += len(charges)
        totals["custody periods"] += len(periods)
        totals["other names"] += len(names)
        totals["affiliations"] += len(affiliations)
        totals["ECHR applications"] += len(apps)

    def run(self, batch, progress=None):
        self.vocabulary()
        for start in range(1, self.count + 1, batch):
            stop = min(start + batch, self.count + 1)
            self.write([self.detainee(n) for n in range(start, stop)])
            if progress:
                progress.update(stop - 1)
        return self.totals


class Command(BaseCommand):
    help = (
        "Generate N plainly synthetic detainees (about ten events and two charges each) "
        "reproducibly from a seed, in a database of their own."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many detainees to generate.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch", type=int, default=2000, help="Detainees per write (default 2000)."
        )
        parser.add_argument(
            "--clear", action="store_true", help="Delete the existing synthetic rows first."
        )
        parser.add_argument(
            "--allow-sqlite",
            action="store_true",
            help="Allow the default SQLite file (db.sqlite3) of `make run` as the target.",
        )

    def handle(self, *args, count, seed, batch, clear, allow_sqlite, **options):
        if count < 1 or batch < 1:
            raise CommandError("N and --batch must be positive.")
        check_target(allow_sqlite=allow_sqlite)
        started = time.perf_counter()
        progress = Progress(count, self.stderr) if options["verbosity"] >= 1 else None
        # One transaction: a run that fails half-way (a schema not migrated, an interrupt)
        # leaves the database as it was, the synthetic rows of an earlier run included.
        with transaction.atomic():
            if clear:
                deleted = clear_synthetic()
                self.stdout.write(f"Deleted {deleted:,} synthetic rows.")
            existing = m.Detainee.objects.filter(is_synthetic=True).count()
            if existing:
                raise CommandError(
                    f"The database already holds {existing:,} synthetic detainees; "
                    "pass --clear to replace them."
                )
            totals = Generator(count, seed).run(batch, progress)
            # bulk_create sends no signals: cached public counts must learn of the new rows.
            m.DataVersion.bump()
        if progress:
            progress.finish()
        if connection.vendor == "postgresql":
            # Fresh statistics, so that the planner knows the tables are no longer empty, and
            # (outside a transaction) the space of the rows --clear deleted reclaimed, so that a
            # benchmark does not scan them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.perf_counter() - started
        states = ", ".join(f"{totals[s]:,} {s}" for s in m.State.values if totals[s])
        others = ", ".join(
            f"{totals[k]:,} {k}"
            for k in [
                "events",
                "charges",
                "custody periods",
                "other names",
                "affiliations",
                "ECHR applications",
                "cases",
            ]
        )
        self.stdout.write(
            f"Generated {totals['detainees']:,} synthetic detainees ({states}; seed {seed}) "
            f"with {others} in {_duration(elapsed)} "
            f"({totals['detainees'] / elapsed:,.0f} detainees/s)."
        )
