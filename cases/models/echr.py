"""The European Court of Human Rights: applications, judgments, execution groups."""

import json
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import (
    APPLICATION_NUMBER_RE,
    HUDOC_ITEMID_RE,
    Precision,
    State,
    not_before,
    precision_constraint,
)
from .people import Detainee
from .vocabulary import Source

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
