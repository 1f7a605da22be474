"""Cases, their defendants and the charges against them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import Entry, Precision, State, precision_constraint
from .people import Detainee, unique_slug
from .vocabulary import Court, LegalArticle, Source

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
    individual = models.BooleanField(
        _("individual proceeding"),
        default=False,
        help_text=_(
            "Public. Opened by the product for charges brought before anyone named the case; a "
            "moderator can later merge it into a named or collective case."
        ),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        help_text=_(
            "Public. The case this individual proceeding was merged into: its address leads there."
        ),
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

    @classmethod
    def individual_for(cls, name, **kwargs):
        """An unsaved individual proceeding for a person, named in every language."""
        from django.conf import settings
        from django.utils import translation

        names = {}
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                names[f"name_{language}"] = _("Proceedings against %(name)s") % {"name": name}
        return cls(name=names["name_en"], individual=True, **names, **kwargs)

    def clean(self):
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A case cannot be separated from its own split-off.")}
                )
            seen.add(node.pk)
            node = node.parent


class CaseDefendantQuerySet(models.QuerySet):
    """The one definition of "in this case", used by the listing's filter and facet, the
    statistics, the export and the API."""

    def in_case(self, case):
        """Defendants in the case and in the cases split off from it (`case` may be an
        OuterRef)."""
        return self.filter(Q(case=case) | Q(case__parent=case))

    def public(self):
        return self.filter(case__state=State.PUBLISHED)

    def open_on(self, day):
        """Proceedings not yet closed on `day`: a closed one (pardon, acquittal, sentence served,
        every charge dropped) no longer counts for who is held then, or charged then."""
        return self.filter(Q(closed=False) | Q(closed_on__gt=day))


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
    # Derived from the timeline and the charges by Detainee.refresh_derived(), never by hand.
    closed = models.BooleanField(
        _("proceeding closed"),
        default=False,
        editable=False,
        help_text=_(
            "Public. Derived: a pardon, an acquittal, a sentence served or every charge dropped."
        ),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    closed_on_precision = models.CharField(
        max_length=5, choices=Precision, default=Precision.DAY, editable=False
    )

    objects = CaseDefendantQuerySet.as_manager()

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


# An unknown date sorts after every known one, as in the charges table of a person's page.
UNDATED = datetime.date.max


class ChargeQuerySet(models.QuerySet):
    def standing(self):
        """The one definition of "charged under": the charge rows standing now. A row stands
        (brought, added, requalified to, convicted) unless a later row for the same defendant
        and article dropped it or ended in an acquittal, or requalified it to another article.
        Looking for those few ending rows is cheaper than ranking every row."""
        ended_later = (
            QuerySet(Charge)
            .alias(day=Coalesce("date", Value(UNDATED)))
            .filter(
                Q(day__gt=OuterRef("day")) | Q(day=OuterRef("day"), id__gt=OuterRef("id")),
                Q(article=OuterRef("article"), action__in=Charge.ENDING)
                | Q(requalified_from=OuterRef("article")),
                defendant=OuterRef("defendant"),
            )
        )
        return (
            self.alias(day=Coalesce("date", Value(UNDATED)))
            .filter(action__in=Charge.STANDING)
            .exclude(Exists(ended_later))
        )


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
    ENDING = {Action.DROPPED, Action.ACQUITTED}

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

    objects = ChargeQuerySet.as_manager()

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
