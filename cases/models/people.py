"""Detainees, their names, affiliations and contacts."""

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext

from .. import i18n
from ..text import name_condition, search_key, search_text, slug_for
from .base import (
    LANGUAGE_CODE_VALIDATOR,
    DataVersion,
    Entry,
    EntryQuerySet,
    Precision,
    not_before,
    precision_constraint,
)
from .vocabulary import Occupation, Organization, Source, with_public_sources

# --- Detainees --------------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


class Status(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("pre-trial detention")
    HOUSE_ARREST = "house_arrest", _("house arrest")
    POLICE_SUPERVISION = "police_supervision", _("police supervision")
    ON_TRIAL = "on_trial", _("on trial")
    IMPRISONED = "imprisoned", _("convicted and imprisoned")
    RELEASED = "released", _("released")
    PARDONED = "pardoned", _("pardoned")
    IN_ABSENTIA = "in_absentia", _("sentenced in absentia")
    EXILE = "exile", _("in exile")
    DIED_IN_CUSTODY = "died_in_custody", _("died in custody")
    DIED = "died", _("died")
    TRAVEL_BAN = "travel_ban", _("travel ban")
    PERSECUTED = "persecuted", _("persecuted, not detained")
    UNKNOWN = "unknown", _("unknown")


HELD_STATUSES = {Status.PRE_TRIAL, Status.ON_TRIAL, Status.IMPRISONED}


class SentenceKind(models.TextChoices):
    IMPRISONMENT = "imprisonment", _("imprisonment")
    LIFE = "life", _("life imprisonment")
    SUSPENDED = "suspended", _("suspended sentence")
    RESTRICTION = "restriction", _("restriction of liberty")
    CORRECTIONAL_LABOUR = "correctional_labour", _("correctional labour")
    FINE = "fine", _("fine")
    ACQUITTAL = "acquittal", _("acquittal")


CUSTODIAL_SENTENCES = {SentenceKind.IMPRISONMENT, SentenceKind.LIFE}


class DetaineeQuerySet(EntryQuerySet):
    def held(self):
        """In custody now (pre-trial, on trial or imprisoned), house arrest apart."""
        return self.filter(in_custody_since__isnull=False)

    def matching_name(self, query):
        """The people a name search finds (`text.name_condition`): every word of the query,
        folded like the names, in some spelling."""
        condition = name_condition(query)
        return self if condition is None else self.filter(condition)

    def with_local_name(self):
        """Annotate `local_name`: the spelling a page in the active language shows first, if one
        is recorded (no query of its own). In Azerbaijani, a spelling recorded as Azerbaijani in
        Latin script; in Russian, a Cyrillic one, a Russian one first. Else None."""
        language = i18n.current_language()
        script = i18n.NAME_SCRIPTS.get(language)
        if script is None:
            return self.annotate(local_name=Value(None, output_field=models.CharField()))
        in_language = Q(language=language) | Q(language__startswith=f"{language}-")
        names = DetaineeName.objects.filter(detainee=OuterRef("pk"), script=script)
        if script == DetaineeName.Script.LATIN:
            # Any Latin spelling is no more this language's than the display name is.
            names = names.filter(in_language)
        names = names.order_by(
            models.Case(When(in_language, then=0), default=1),
            models.Case(When(kind=DetaineeName.Kind.NATIVE, then=0), default=1),
            "pk",
        )
        return self.annotate(local_name=Subquery(names.values("name")[:1]))

    def with_public_parts(self):
        """A person's parts as public pages and the API show them, each with its public sources
        only (`public_sources`): spellings, occupations, affiliations, and the entry's own
        sources. One definition for the page and the API."""
        return self.prefetch_related(
            models.Prefetch(
                "other_names", queryset=DetaineeName.objects.prefetch_related(with_public_sources())
            ),
            models.Prefetch(
                "occupation_rows",
                queryset=DetaineeOccupation.objects.select_related("occupation").prefetch_related(
                    with_public_sources()
                ),
            ),
            models.Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("organization").prefetch_related(
                    with_public_sources()
                ),
            ),
            with_public_sources(),
        )

    def similar_names(self, query, limit=5):
        """Near misses for a name search, closest first: PostgreSQL's trigrams, none elsewhere."""
        key = search_key(query)
        if not key or connections[self.db].vendor != "postgresql":
            return self.none()
        return (
            self.annotate(similarity=TrigramWordSimilarity(key, "search_text"))
            .filter(similarity__gte=0.4)
            .order_by("-similarity", "name")[:limit]
        )


class Detainee(Entry):
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Public. Display name in Latin script.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_(
            "Public: the page's permanent URL; never change it once published. "
            "Leave empty to make one from the name."
        ),
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender, default=Gender.UNKNOWN, help_text=_("Public.")
    )
    born = models.DateField(_("born"), null=True, blank=True, help_text=_("Public."))
    born_precision = models.CharField(
        _("birth date known to the"), max_length=5, choices=Precision, default=Precision.YEAR
    )
    occupations = models.ManyToManyField(
        Occupation,
        verbose_name=_("occupations"),
        blank=True,
        related_name="detainees",
        through="DetaineeOccupation",
    )
    bio = models.TextField(_("biography"), blank=True, help_text=_("Public. A short biography."))
    sources = models.ManyToManyField(
        Source,
        verbose_name=_("sources"),
        blank=True,
        related_name="detainees",
        help_text=_("Public unless confidential: where the identity and biography come from."),
    )

    # Derived from the timeline by refresh_derived(); never edited by hand.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="merged_entries",
        help_text=_("Public. The entry this duplicate was merged into: its address leads there."),
    )
    search_text = models.TextField(editable=False, blank=True)
    status = models.CharField(
        _("current status"),
        max_length=20,
        choices=Status,
        default=Status.UNKNOWN,
        editable=False,
        db_index=True,
        help_text=_("Public. Derived from the timeline."),
    )
    status_since = models.DateField(_("status since"), null=True, blank=True, editable=False)
    status_since_precision = models.CharField(
        max_length=5, choices=Precision, default=Precision.DAY, editable=False
    )
    first_detained_on = models.DateField(
        _("first detained"), null=True, blank=True, editable=False, db_index=True
    )
    first_detained_on_precision = models.CharField(
        max_length=5, choices=Precision, default=Precision.DAY, editable=False
    )
    last_detained_on = models.DateField(
        _("last detained"), null=True, blank=True, editable=False, db_index=True
    )
    last_detained_on_precision = models.CharField(
        max_length=5, choices=Precision, default=Precision.DAY, editable=False
    )
    in_custody_since = models.DateField(
        _("in custody since"), null=True, blank=True, editable=False, db_index=True
    )
    in_custody_since_precision = models.CharField(
        max_length=5, choices=Precision, default=Precision.DAY, editable=False
    )
    released_on = models.DateField(_("last released"), null=True, blank=True, editable=False)
    released_on_precision = models.CharField(
        max_length=5, choices=Precision, default=Precision.DAY, editable=False
    )
    custody_days_closed = models.PositiveIntegerField(
        _("days in custody before the current period"), default=0, editable=False
    )
    sentence_kind = models.CharField(
        _("current sentence"), max_length=20, choices=SentenceKind, blank=True, editable=False
    )
    sentence_months = models.PositiveIntegerField(
        _("sentence length in months"), null=True, blank=True, editable=False, db_index=True
    )

    objects = DetaineeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("detainee")
        verbose_name_plural = _("detainees")
        permissions = [
            ("log_entries", _("Can create entries and log events, as drafts")),
            ("review_entries", _("Can see every draft; publish, reject and retract entries")),
            ("manage_vocabularies", _("Can manage vocabularies")),
        ]
        indexes = [
            # The listing's default order over published entries, without a sort.
            models.Index(
                fields=["name", "id"],
                name="detainee_published_by_name",
                condition=Q(state="published"),
            ),
            # Who is held now, for the statistics' breakdowns: read from the index alone.
            models.Index(
                fields=["id"],
                name="detainee_held_now",
                condition=Q(state="published", in_custody_since__isnull=False),
            ),
        ]
        constraints = [
            precision_constraint("born", "detainee_born_precision"),
            not_before(
                "released_on",
                "first_detained_on",
                "detainee_release_not_before_detention",
                _("A release cannot come before the first detention."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Detainee, self.name)
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:detainee-detail", args=[self.slug])

    def build_search_text(self, other_names=None):
        if other_names is None:
            other_names = list(self.other_names.values_list("name", flat=True)) if self.pk else []
        return search_text([self.name, *other_names])

    @property
    def name_shown(self):
        """The name a page shows first: the active language's spelling (`with_local_name()`),
        else the display name."""
        return getattr(self, "local_name", None) or self.name

    def other_spellings(self):
        """Every spelling but the one shown first, the display name included (reads the
        prefetched `other_names`)."""
        shown = self.name_shown
        names = [] if shown == self.name else [DetaineeName(name=self.name)]
        return names + [n for n in self.other_names.all() if n.name != shown]

    def days_in_custody(self, today=None):
        """Days in custody over every period, up to `today` for the current one."""
        days = self.custody_days_closed
        if self.in_custody_since:
            days += ((today or timezone.localdate()) - self.in_custody_since).days
        return days

    def days_in_current_custody(self, today=None):
        if not self.in_custody_since:
            return 0
        return ((today or timezone.localdate()) - self.in_custody_since).days

    @property
    def is_held(self):
        return self.in_custody_since is not None

    @property
    def sentence_display(self):
        return format_sentence(self.sentence_kind, self.sentence_months)

    @transaction.atomic
    def refresh_derived(self):
        """Recompute the stored facts derived from the timeline and the names.

        Called after any change to events or names. Writes with update(), so that derived
        facts add no history rows and do not count as an edit.
        """
        from .proceedings import CaseDefendant, Charge
        from .timeline import CustodyPeriod, derive_timeline, proceeding_closures

        events = list(self.events.order_by("date", "id"))
        derived = derive_timeline(events)
        if derived.problems:
            raise ValidationError(derived.problems)
        values = derived.detainee_fields()
        values["search_text"] = self.build_search_text()
        Detainee.objects.filter(pk=self.pk).update(**values)
        DataVersion.bump()
        for name, value in values.items():
            setattr(self, name, value)
        self.custody_periods.all().delete()
        CustodyPeriod.objects.bulk_create(
            CustodyPeriod(detainee=self, **period) for period in derived.periods
        )
        charges = Charge.objects.filter(defendant__detainee=self).order_by("date", "id")
        closures = proceeding_closures(
            events,
            [
                (case_id, article_id or description, action, date, precision)
                for case_id, article_id, description, action, date, precision in (
                    charges.values_list(
                        "defendant__case_id", "article_id", "description", "action", "date",
                        "date_precision",
                    )
                )
            ],
        )  # fmt: skip
        for membership in CaseDefendant.objects.filter(detainee=self):
            closed_on, precision = closures.get(membership.case_id, (None, Precision.DAY))
            closed = membership.case_id in closures
            if (membership.closed, membership.closed_on, membership.closed_on_precision) != (
                closed,
                closed_on,
                precision,
            ):
                CaseDefendant.objects.filter(pk=membership.pk).update(
                    closed=closed, closed_on=closed_on, closed_on_precision=precision
                )


def unique_slug(model, text, max_length=80):
    base = slug_for(text, max_length) or "entry"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def format_sentence(kind, months):
    if not kind:
        return ""
    label = SentenceKind(kind).label
    if not months:
        return str(label)
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(
            npgettext("sentence length", "%(n)d year", "%(n)d years", years) % {"n": years}
        )
    if rest:
        parts.append(
            npgettext("sentence length", "%(n)d month", "%(n)d months", rest) % {"n": rest}
        )
    return f"{label}, {' '.join(parts)}"


class DetaineeName(models.Model):
    class Kind(models.TextChoices):
        NATIVE = "native", _("spelling in the national language")
        TRANSLITERATION = "transliteration", _("transliteration")
        FULL = "full", _("full name")
        ALIAS = "alias", _("other name or pen name")

    class Script(models.TextChoices):
        LATIN = "latin", _("Latin")
        CYRILLIC = "cyrillic", _("Cyrillic")
        ARABIC = "arabic", _("Arabic")
        OTHER = "other", _("other")

    detainee = models.ForeignKey(
        Detainee, verbose_name=_("detainee"), on_delete=models.CASCADE, related_name="other_names"
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Public."))
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        validators=[LANGUAGE_CODE_VALIDATOR],
        help_text=_("Language code, e.g. az, ru, en."),
    )
    script = models.CharField(_("script"), max_length=10, choices=Script, default=Script.LATIN)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TRANSLITERATION)
    sources = models.ManyToManyField(
        Source,
        verbose_name=_("sources"),
        blank=True,
        related_name="+",
        help_text=_("Public unless confidential: where this spelling is written."),
    )

    class Meta:
        ordering = ["detainee", "id"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [
            models.UniqueConstraint(fields=["detainee", "name"], name="detaineename_unique"),
        ]

    def __str__(self):
        return self.name


class DetaineeOccupation(models.Model):
    """A person's occupation, with the sources that say so (the table `Detainee.occupations`
    always used: `detainee.occupations.add()` still works)."""

    detainee = models.ForeignKey(
        Detainee, verbose_name=_("detainee"), on_delete=models.CASCADE,
        related_name="occupation_rows",
    )  # fmt: skip
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.CASCADE, related_name="+"
    )
    sources = models.ManyToManyField(
        Source,
        verbose_name=_("sources"),
        blank=True,
        related_name="+",
        help_text=_("Public unless confidential: where this occupation is given."),
    )

    class Meta:
        db_table = "cases_detainee_occupations"
        ordering = ["detainee", "occupation__name"]
        verbose_name = _("occupation of a person")
        verbose_name_plural = _("occupations of people")
        unique_together = [("detainee", "occupation")]

    def __str__(self):
        return str(self.occupation)


class Affiliation(models.Model):
    detainee = models.ForeignKey(
        Detainee, verbose_name=_("detainee"), on_delete=models.CASCADE, related_name="affiliations"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="affiliations",
    )
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("Public."))
    start = models.DateField(_("from"), null=True, blank=True)
    start_precision = models.CharField(
        _("from, known to the"), max_length=5, choices=Precision, default=Precision.YEAR
    )
    end = models.DateField(_("until"), null=True, blank=True)
    end_precision = models.CharField(
        _("until, known to the"), max_length=5, choices=Precision, default=Precision.YEAR
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["detainee", "start", "id"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            precision_constraint("start", "affiliation_start_precision"),
            precision_constraint("end", "affiliation_end_precision"),
            not_before(
                "end",
                "start",
                "affiliation_end_not_before_start",
                _("An affiliation cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.role}, {self.organization}" if self.role else str(self.organization)


class Contact(models.Model):
    """Relatives and lawyers. Staff only, all of it: no public surface ever shows a contact."""

    class Kind(models.TextChoices):
        RELATIVE = "relative", _("relative")
        LAWYER = "lawyer", _("lawyer")
        OTHER = "other", _("other")

    detainee = models.ForeignKey(
        Detainee, verbose_name=_("detainee"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, help_text=_("Staff only."))
    name = models.CharField(_("name"), max_length=200, help_text=_("Staff only."))
    relationship = models.CharField(
        _("relationship"), max_length=100, blank=True, help_text=_("Staff only.")
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True, help_text=_("Staff only."))
    email = models.EmailField(_("email"), blank=True, help_text=_("Staff only."))
    notes = models.TextField(_("notes"), blank=True, help_text=_("Staff only."))

    class Meta:
        ordering = ["detainee", "kind", "name"]
        verbose_name = _("contact (staff only)")
        verbose_name_plural = _("contacts (staff only)")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"
