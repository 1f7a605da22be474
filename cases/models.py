"""The case data model: detainees, cases, charges, timelines, sources and the ECHR.

Publication: detainees and cases are *entries* with a state. The main tables hold approved
content and brand-new drafts (never public); a change to a published entry waits as a
`PendingChange` (structured proposed values) and is applied in one transaction on approval, so
the public and every stored derived fact describe the last approved version.
"""

import datetime
import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import connections, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, npgettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from . import i18n
from .text import search_key, slug_for

LANGUAGE_CODE_RE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
ARTICLE_NUMBER_RE = r"^[0-9]+(\.[0-9]+)*(-[0-9]+)?$"
APPLICATION_NUMBER_RE = r"^[0-9]{1,6}/[0-9]{2}$"
LANGUAGE_CODE_VALIDATOR = RegexValidator(
    LANGUAGE_CODE_RE, _("Use a language code such as en, az or ru.")
)
HUDOC_ITEMID_RE = r"^[0-9]{3}-[0-9]+$"


# --- Dates known to the day, the month or the year -------------------------------------------


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


def precision_constraint(date_field, name):
    """A date known only to the month is stored as its first day; to the year, as 1 January."""
    precision_field = f"{date_field}_precision"
    return models.CheckConstraint(
        condition=Q(**{f"{date_field}__isnull": True})
        | Q(**{precision_field: Precision.DAY})
        | Q(**{precision_field: Precision.MONTH, f"{date_field}__day": 1})
        | Q(
            **{precision_field: Precision.YEAR, f"{date_field}__day": 1, f"{date_field}__month": 1}
        ),
        name=name,
        violation_error_message=_(
            "A date known only to the month must be the month's first day; "
            "a date known only to the year must be 1 January."
        ),
    )


def format_partial_date(value, precision=Precision.DAY):
    """Write a date at its precision, the active language's way: 29 April 2024, April 2024, 2024
    (29 aprel 2024, 29 апреля 2024). A moment (`updated_at`) is written as its local day."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    if precision == Precision.YEAR:
        return str(value.year)
    return i18n.write_date(value, with_day=precision != Precision.MONTH)


def localized(path):
    """The active language's column of a translated field (`occupation__name`), falling back
    to English, for use inside queries (values, annotations, unions)."""
    language = (get_language() or "en").split("-")[0]
    return Coalesce(
        F(build_localized_fieldname(path, language)),
        F(build_localized_fieldname(path, "en")),
        F(path),
        output_field=models.CharField(),
    )


def truncate_to_precision(value, precision):
    if value is None:
        return None
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value


def not_before(later, earlier, name, message):
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__gte": F(earlier)}),
        name=name,
        violation_error_message=message,
    )


# --- Entries: what goes through review --------------------------------------------------------


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    RETRACTED = "retracted", _("retracted")


class EntryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=State.PUBLISHED)

    def visible_to(self, user):
        """Every entry `user` may open: its public parts, and its internal data where
        `with_internal_access` allows.

        The one read rule for entries: the public sees published entries; a researcher also sees
        their own entries and those assigned to them; moderators and admins see everything.
        """
        if not user.is_authenticated:
            return self.published()
        if user.has_perm("cases.review_entries"):
            return self
        if user.has_perm("cases.log_entries"):
            return self.filter(Q(state=State.PUBLISHED) | self._authored_or_assigned(user))
        return self.published()

    def with_internal_access(self, user):
        """The entries whose internal data `user` may read: staff notes, contacts, confidential
        sources, event notes, history, other people's pending changes, unpublished cases' names.

        The one rule for internal data (SPEC, Roles): moderators and admins all; a researcher the
        entries they created or were assigned; nobody else, whatever is published.
        """
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("cases.review_entries"):
            return self
        if user.has_perm("cases.log_entries"):
            return self.filter(self._authored_or_assigned(user))
        return self.none()

    def _authored_or_assigned(self, user):
        assigned = self.model.assignees.through.objects.filter(
            **{f"{self.model._meta.model_name}_id": OuterRef("pk"), "user_id": user.pk}
        )
        return Q(created_by=user) | Q(Exists(assigned))


class Entry(models.Model):
    state = models.CharField(
        _("publication state"),
        max_length=20,
        choices=State,
        default=State.DRAFT,
        db_index=True,
        help_text=_("Only published entries are shown to the public."),
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text=_("Staff only. Counts approved saves, so that a stale edit can be refused."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Staff only."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(
        _("last updated"), auto_now=True, help_text=_("Public: shown as the page's last update.")
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    retraction_reason = models.TextField(
        _("retraction reason"), blank=True, help_text=_("Staff only.")
    )
    review_comment = models.TextField(
        _("reviewer's comment"),
        blank=True,
        help_text=_("Staff only. The last reviewer's message to the author."),
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned researchers"),
        blank=True,
        related_name="assigned_%(class)ss",
        help_text=_("Staff only. Researchers who may see and work on this entry."),
    )
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Staff only."))
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        editable=False,
        help_text=_("Generated for load tests; never part of the real dataset."),
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        if self.state == State.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_public(self):
        return self.state == State.PUBLISHED

    def internal_visible_to(self, user):
        """Whether `user` may read this entry's internal data (see `with_internal_access`)."""
        manager = type(self)._default_manager
        return manager.filter(pk=self.pk).with_internal_access(user).exists()


# --- Vocabularies -----------------------------------------------------------------------------


class Occupation(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("Public."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")

    def __str__(self):
        return self.name


class Organization(models.Model):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True, help_text=_("Public."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Court(models.Model):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    def __str__(self):
        return self.name


class Facility(models.Model):
    class Kind(models.TextChoices):
        PRETRIAL = "pretrial", _("pre-trial detention centre")
        PRISON = "prison", _("prison")
        POLICE = "police", _("police station")
        MEDICAL = "medical", _("medical or psychiatric facility")
        OTHER = "other", _("other")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    location = models.CharField(_("location"), max_length=255, blank=True, help_text=_("Public."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("place of detention")
        verbose_name_plural = _("places of detention")

    def __str__(self):
        return self.name


class LegalCode(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))
    short_name = models.CharField(_("short name"), max_length=30, help_text=_("Public, e.g. CC."))
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO country code."))],
        help_text=_("ISO 3166 two-letter code of the jurisdiction."),
    )

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("legal code")
        verbose_name_plural = _("legal codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z][A-Z]$"), name="legalcode_country_iso"
            )
        ]

    def __str__(self):
        return self.name


class LegalArticleQuerySet(models.QuerySet):
    def under(self, number):
        """The article and all its sub-articles: 206 finds 206, 206.3 and 206.3.2."""
        number = number.strip().rstrip(".")
        return self.filter(Q(number=number) | Q(number__startswith=f"{number}."))


class LegalArticle(models.Model):
    code = models.ForeignKey(
        LegalCode, verbose_name=_("code"), on_delete=models.PROTECT, related_name="articles"
    )
    number = models.CharField(
        _("number"),
        max_length=30,
        validators=[RegexValidator(ARTICLE_NUMBER_RE, _("Write the number like 206.3.2."))],
        help_text=_("Public. Dotted: 206.3.2 is part 3.2 of article 206."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent article"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="children",
    )
    title = models.CharField(_("title"), max_length=500, blank=True, help_text=_("Public."))
    sort_key = models.CharField(max_length=120, editable=False, db_index=True)

    objects = LegalArticleQuerySet.as_manager()

    class Meta:
        ordering = ["code", "sort_key"]
        verbose_name = _("legal article")
        verbose_name_plural = _("legal articles")
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="legalarticle_unique_number"),
            models.CheckConstraint(
                condition=Q(number__regex=ARTICLE_NUMBER_RE), name="legalarticle_number_format"
            ),
        ]

    def __str__(self):
        label = f"{self.code.short_name} {self.number}"
        return f"{label} {self.title}" if self.title else label

    def save(self, *args, **kwargs):
        self.sort_key = ".".join(part.zfill(5) for part in re.split(r"[.-]", self.number))
        parent_number = self.parent_number
        if parent_number and (self.parent is None or self.parent.number != parent_number):
            # Ancestors exist so that filtering on 206 always finds 206.3.2.
            self.parent, _created = LegalArticle.objects.get_or_create(
                code=self.code, number=parent_number
            )
        super().save(*args, **kwargs)

    @property
    def parent_number(self):
        head, sep, _tail = self.number.rpartition(".")
        return head if sep else ""

    def ancestors(self):
        """Root first; one query per level, for a detail page or admin, never a listing."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class SourceQuerySet(models.QuerySet):
    def public(self):
        return self.filter(confidential=False)


class Source(models.Model):
    url = models.URLField(
        _("URL"), max_length=1000, blank=True, help_text=_("Public unless confidential.")
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        validators=[LANGUAGE_CODE_VALIDATOR],
        help_text=_("Language code, e.g. en, az, ru."),
    )
    archive_url = models.URLField(
        _("archive URL"),
        max_length=1000,
        blank=True,
        help_text=_("A snapshot, in case the page goes."),
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Staff only when ticked: never shown on any public page, export or API."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Staff only."))

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="source_unique_url"),
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(title=""),
                name="source_has_url_or_title",
                violation_error_message=_("A source needs a URL or a title."),
            ),
        ]

    def __str__(self):
        return self.title or self.url


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
        """Every word of the query, folded like the names, must appear in some spelling."""
        words = search_key(query).split()
        qs = self
        for word in words:
            qs = qs.filter(search_text__contains=word)
        return qs

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
        Occupation, verbose_name=_("occupations"), blank=True, related_name="detainees"
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
        keys = dict.fromkeys(search_key(n) for n in [self.name, *other_names] if n)
        return " | ".join(keys)

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

    class Meta:
        ordering = ["detainee", "id"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [
            models.UniqueConstraint(fields=["detainee", "name"], name="detaineename_unique"),
        ]

    def __str__(self):
        return self.name


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


# --- Cases and charges ------------------------------------------------------------------------


class Case(Entry):
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
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("separated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="split_cases",
        help_text=_("Public. The case this one was split off from."),
    )
    investigating_body = models.CharField(
        _("investigating body"), max_length=255, blank=True, help_text=_("Public.")
    )
    court = models.ForeignKey(
        Court,
        verbose_name=_("court"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("Public. The trial court."),
    )
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    opened_on_precision = models.CharField(
        _("opened, known to the"), max_length=5, choices=Precision, default=Precision.DAY
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Public."))
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="cases"
    )
    defendants = models.ManyToManyField(
        Detainee, through="CaseDefendant", verbose_name=_("defendants"), related_name="cases"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            precision_constraint("opened_on", "case_opened_precision"),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="case_not_own_parent",
                violation_error_message=_("A case cannot be separated from itself."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Case, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("cases:case-detail", args=[self.slug])

    def clean(self):
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A case cannot be separated from its own split-off.")}
                )
            seen.add(node.pk)
            node = node.parent


class CaseDefendant(models.Model):
    class Role(models.TextChoices):
        SUSPECT = "suspect", _("suspect")
        ACCUSED = "accused", _("accused")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="memberships"
    )
    detainee = models.ForeignKey(
        Detainee, verbose_name=_("detainee"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.ACCUSED)
    since = models.DateField(_("since"), null=True, blank=True)
    since_precision = models.CharField(
        _("since, known to the"), max_length=5, choices=Precision, default=Precision.DAY
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "detainee"]
        verbose_name = _("defendant in a case")
        verbose_name_plural = _("defendants in cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "detainee"], name="casedefendant_unique"),
            precision_constraint("since", "casedefendant_since_precision"),
        ]

    def __str__(self):
        return f"{self.detainee} — {self.case}"

    def current_charges(self):
        """Charges standing now: the latest row per article, unless dropped or acquitted."""
        latest = {}
        for charge in self.charges.all():
            latest[charge.article_id or charge.description] = charge
        return [c for c in latest.values() if c.action in Charge.STANDING]


class Charge(models.Model):
    """One dated step in a charge's history. Rows are added, never overwritten."""

    class Action(models.TextChoices):
        BROUGHT = "brought", _("brought")
        ADDED = "added", _("added")
        REQUALIFIED = "requalified", _("requalified")
        DROPPED = "dropped", _("dropped")
        CONVICTED = "convicted", _("convicted")
        ACQUITTED = "acquitted", _("acquitted")

    STANDING = {Action.BROUGHT, Action.ADDED, Action.REQUALIFIED, Action.CONVICTED}

    defendant = models.ForeignKey(
        CaseDefendant, verbose_name=_("defendant"), on_delete=models.CASCADE, related_name="charges"
    )
    article = models.ForeignKey(
        LegalArticle,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charges",
        help_text=_("Public. Leave empty only when the source names no article."),
    )
    requalified_from = models.ForeignKey(
        LegalArticle,
        verbose_name=_("requalified from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(
        _("description"),
        max_length=255,
        blank=True,
        help_text=_("Public. The offence in words, required when no article is given."),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action, default=Action.BROUGHT)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Public. Empty when unknown.")
    )
    date_precision = models.CharField(
        _("date known to the"), max_length=5, choices=Precision, default=Precision.DAY
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="charges"
    )

    class Meta:
        ordering = ["defendant", F("date").asc(nulls_last=True), "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        indexes = [
            # The few rows that end a charge, looked up for each standing one (stats.py).
            models.Index(
                fields=["defendant", "article"],
                name="charge_ended",
                condition=Q(action__in=["dropped", "acquitted"]),
            ),
        ]
        constraints = [
            precision_constraint("date", "charge_date_precision"),
            models.CheckConstraint(
                condition=Q(article__isnull=False) | ~Q(description=""),
                name="charge_has_article_or_description",
                violation_error_message=_(
                    "Give the article, or describe the offence when no article is known."
                ),
            ),
        ]

    def __str__(self):
        offence = str(self.article) if self.article_id else self.description
        return f"{offence} ({self.get_action_display()})"


SENTENCE_ONLY_ON_DECISIONS = _(
    "Only a verdict, an appeal, a cassation or a prosecutor's demand carries a sentence."
)


# --- The timeline -----------------------------------------------------------------------------


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
        EXILE = "exile", _("exile")
        DEATH = "death", _("death")
        OTHER = "other", _("other")

    SENTENCE_KINDS = {Kind.PROSECUTOR_DEMAND, Kind.VERDICT, Kind.APPEAL, Kind.CASSATION}
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
        elif kind == K.EXILE:
            close_all(event)
            set_status(Status.EXILE, event)
        elif kind == K.DEATH:
            set_status(Status.DIED_IN_CUSTODY if open_period else Status.DIED, event)
            close_all(event)
    return result


# --- The European Court of Human Rights --------------------------------------------------------


class ConventionArticle(models.Model):
    """A provision of the European Convention found violated, e.g. 5§1(c) or 18+5."""

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^P?[0-9]+(-[0-9]+)?(§[0-9]+)?(\([a-z]\))?(\+[0-9]+(§[0-9]+)?)?$",
                _("Write it like 5§1(c), 18+5 or P1-1."),
            )
        ],
        help_text=_("Public."),
    )
    title = models.CharField(_("title"), max_length=255, blank=True, help_text=_("Public."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("Convention article")
        verbose_name_plural = _("Convention articles")

    def __str__(self):
        return f"{self.code} {self.title}".strip()


class ExecutionGroupQuerySet(models.QuerySet):
    def with_public_applications(self):
        """Each group's count of public applications (`application_count`) and whether its lead
        application is public (`lead_is_public`): see EchrApplicationQuerySet.public."""
        public = EchrApplication.objects.public()
        return self.annotate(
            application_count=Count(
                "applications", filter=Q(applications__in=public.values("pk")), distinct=True
            ),
            lead_is_public=Exists(public.filter(pk=OuterRef("lead_application_id"))),
        )


class ExecutionGroup(models.Model):
    class Supervision(models.TextChoices):
        STANDARD = "standard", _("standard supervision")
        ENHANCED = "enhanced", _("enhanced supervision")
        CLOSED = "closed", _("closed")

    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Public: the group's URL.")
    )
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))
    former_name = models.CharField(
        _("former name"), max_length=255, blank=True, help_text=_("Public.")
    )
    lead_application = models.ForeignKey(
        "EchrApplication",
        verbose_name=_("lead case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supervision = models.CharField(
        _("supervision"), max_length=10, choices=Supervision, default=Supervision.STANDARD
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Public."))
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="+"
    )

    objects = ExecutionGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("execution group")
        verbose_name_plural = _("execution groups")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:echr-group", args=[self.slug])

    def clean(self):
        if (
            self.lead_application_id
            and self.pk
            and self.lead_application.group_id not in (None, self.pk)
        ):
            raise ValidationError(
                {"lead_application": _("The lead case must belong to this group.")}
            )


class EchrApplicationQuerySet(models.QuerySet):
    def public(self):
        """Applications with a published applicant, or with no applicant recorded here.

        An application's title names its applicant ("Mammadli v. Azerbaijan"): one whose only
        applicants are unpublished entries is shown nowhere and counted nowhere. One with a
        published applicant stays public while a co-applicant's draft waits (pages list the
        published applicants only), so a draft never takes a reviewed fact off the site.
        A published person's own applications are public by this rule, so reads that start
        from published people (their page, the listing's filter, the export) need no filter.
        """
        applicants = self.model.applicants.through.objects.filter(echrapplication_id=OuterRef("pk"))
        published = applicants.filter(detainee__state=State.PUBLISHED)
        return self.filter(Q(Exists(published)) | ~Q(Exists(applicants)))


class EchrApplication(models.Model):
    number = models.CharField(
        _("application number"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(APPLICATION_NUMBER_RE, _("Write the number like 47145/14."))],
        help_text=_("Public, like 47145/14."),
    )
    title = models.CharField(
        _("title"), max_length=255, help_text=_("Public, e.g. Mammadli v. Azerbaijan.")
    )
    applicants = models.ManyToManyField(
        Detainee, verbose_name=_("applicants"), blank=True, related_name="echr_applications"
    )
    lodged_on = models.DateField(_("lodged"), null=True, blank=True)
    communicated_on = models.DateField(_("communicated"), null=True, blank=True)
    judgment_on = models.DateField(_("judgment"), null=True, blank=True)
    final_on = models.DateField(_("final"), null=True, blank=True)
    violations = models.ManyToManyField(
        ConventionArticle,
        verbose_name=_("violations found"),
        blank=True,
        related_name="applications",
    )
    hudoc_itemid = models.CharField(
        _("HUDOC item id"),
        max_length=30,
        blank=True,
        validators=[RegexValidator(HUDOC_ITEMID_RE, _("Write the item id like 001-182178."))],
        help_text=_("Public. The judgment's HUDOC item id, when known."),
    )
    group = models.ForeignKey(
        ExecutionGroup,
        verbose_name=_("execution group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="+"
    )
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Staff only."))

    objects = EchrApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["lodged_on", "number"]
        verbose_name = _("ECHR application")
        verbose_name_plural = _("ECHR applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=APPLICATION_NUMBER_RE),
                name="echr_number_format",
                violation_error_message=_("Write the number like 47145/14."),
            ),
            models.CheckConstraint(
                condition=Q(hudoc_itemid="") | Q(hudoc_itemid__regex=HUDOC_ITEMID_RE),
                name="echr_itemid_format",
            ),
            not_before(
                "communicated_on",
                "lodged_on",
                "echr_communicated_after_lodged",
                _("An application cannot be communicated before it was lodged."),
            ),
            not_before(
                "judgment_on",
                "lodged_on",
                "echr_judgment_after_lodged",
                _("A judgment cannot come before the application was lodged."),
            ),
            not_before(
                "final_on",
                "judgment_on",
                "echr_final_after_judgment",
                _("A judgment cannot become final before it was delivered."),
            ),
        ]

    def __str__(self):
        return f"{self.title}, no. {self.number}"

    @property
    def hudoc_url(self):
        """The judgment by its item id when known, otherwise a HUDOC search for the number."""
        if self.hudoc_itemid:
            return f"https://hudoc.echr.coe.int/eng?i={self.hudoc_itemid}"
        query = json.dumps({"appno": [self.number]}, separators=(",", ":"))
        return f"https://hudoc.echr.coe.int/eng#{quote(query, safe='')}"


class CmDecision(models.Model):
    """A Committee of Ministers document on a group: decision, interim resolution or notes."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("decision")
        INTERIM_RESOLUTION = "interim_resolution", _("interim resolution")
        NOTES = "notes", _("notes")

    group = models.ForeignKey(
        ExecutionGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.DECISION)
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date known to the"), max_length=5, choices=Precision, default=Precision.DAY
    )
    reference = models.CharField(
        _("document reference"), max_length=100, help_text=_("Public, e.g. CM/Notes/1514/H46-7.")
    )
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Public."))

    class Meta:
        ordering = ["group", "-date"]
        verbose_name = _("Committee of Ministers document")
        verbose_name_plural = _("Committee of Ministers documents")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "reference"], name="cmdecision_unique_reference"
            ),
            precision_constraint("date", "cmdecision_date_precision"),
        ]

    def __str__(self):
        return self.reference


# --- Cache invalidation -----------------------------------------------------------------------


class DataVersion(models.Model):
    """One counter, raised by every change to the case data, that public caches are keyed by.

    Kept in the database rather than in the cache, so that every app server sees a change at
    once whatever cache backend it uses (a local-memory cache is per process).
    """

    number = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return str(self.number)

    @classmethod
    def current(cls):
        """One primary-key read: the version public caches are keyed by."""
        number = cls.objects.filter(pk=1).values_list("number", flat=True).first()
        return number or 0

    @classmethod
    def bump(cls):
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1)


# --- Review -----------------------------------------------------------------------------------


class PendingChange(models.Model):
    """A proposed change to a published entry, kept apart until a moderator approves it.

    `data` holds the proposed values as structured data (fields, and rows to add, change or
    remove); `base_version` is the entry's version it was made against, so that an approval
    over a newer version is refused rather than silently overwriting it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    detainee = models.ForeignKey(
        Detainee, null=True, blank=True, on_delete=models.CASCADE, related_name="pending_changes"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="pending_changes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pending_changes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    base_version = models.PositiveIntegerField()
    summary = models.CharField(_("summary"), max_length=255, help_text=_("Staff only."))
    data = models.JSONField(_("proposed values"), default=dict, help_text=_("Staff only."))
    state = models.CharField(max_length=20, choices=State, default=State.PENDING, db_index=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("Staff only. Shown to the author.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(detainee__isnull=False, case__isnull=True)
                | Q(detainee__isnull=True, case__isnull=False),
                name="pendingchange_one_entry",
            ),
        ]

    def __str__(self):
        return self.summary

    @cached_property
    def entry(self):
        return self.detainee or self.case
