"""Vocabularies: occupations, organizations, courts, places of detention, articles, sources."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import ARTICLE_NUMBER_RE, LANGUAGE_CODE_VALIDATOR

# --- Vocabularies -----------------------------------------------------------------------------


class Proposable(models.Model):
    """A vocabulary row an import may propose: it exists at once, so the rows that use it can be
    written and re-imported, but stays unapproved until a moderator publishes an entry that uses
    it (`services.approve_terms_of`) or approves it in the admin."""

    approved = models.BooleanField(
        _("approved"),
        default=True,
        db_index=True,
        help_text=_(
            "Staff only. Unticked: proposed by an import, waiting for a moderator to publish an "
            "entry that uses it."
        ),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class Term(Proposable):
    """A vocabulary entry known by several names: its name in each language, and aliases (other
    spellings and renderings: "Baku Grave Crimes Court", "AbzasMedia"), which the import matches
    (`cases.imports`, through `text.term_key`)."""

    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "Other names and spellings, one per line, in any language: the import recognises "
            "them. Not shown to the public."
        ),
    )

    class Meta(Proposable.Meta):
        abstract = True

    def spellings(self):
        """Every name this term is known by: its name in each language, its abbreviation,
        its aliases."""
        names = [
            getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if f.attname == "name" or f.attname.startswith("name_")
        ]
        names += [getattr(self, "abbreviation", ""), *self.aliases.splitlines()]
        return [n.strip() for n in dict.fromkeys(names) if n and n.strip()]


class Occupation(Term):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("Public."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")

    def __str__(self):
        return self.name


class Organization(Term):
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


class Court(Term):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255, help_text=_("Public."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")

    def __str__(self):
        return self.name


class Facility(Term):
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


def article_sort_key(number):
    """Numbers in the code's order: 193, 193.2, 193-1, 193-1.3.1, 194 (a hyphenated article is
    inserted after its base article and all its parts)."""
    parts = []
    for part in number.split("."):
        base, _sep, inserted = part.partition("-")
        parts.append(base.zfill(5) + (f"~{inserted.zfill(5)}" if inserted else ""))
    return ".".join(parts)


class LegalArticleQuerySet(models.QuerySet):
    def under(self, number):
        """The article and all its sub-articles: 206 finds 206, 206.3 and 206.3.2."""
        number = number.strip().rstrip(".")
        return self.filter(Q(number=number) | Q(number__startswith=f"{number}."))


class LegalArticle(Proposable):
    code = models.ForeignKey(
        LegalCode, verbose_name=_("code"), on_delete=models.PROTECT, related_name="articles"
    )
    number = models.CharField(
        _("number"),
        max_length=30,
        validators=[
            RegexValidator(ARTICLE_NUMBER_RE, _("Write the number like 206.3.2 or 193-1.3.1."))
        ],
        help_text=_(
            "Public. Dotted: 206.3.2 is part 3.2 of article 206; 193-1.3.1 is part 3.1 of "
            "article 193-1."
        ),
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
        label = f"{self.code.short_name} {self.number}".strip()
        return f"{label} {self.title}" if self.title else label

    def save(self, *args, **kwargs):
        self.sort_key = article_sort_key(self.number)
        parent_number = self.parent_number
        if parent_number and (self.parent is None or self.parent.number != parent_number):
            # Ancestors exist so that filtering on 206 always finds 206.3.2.
            self.parent, _created = LegalArticle.objects.get_or_create(
                code=self.code,
                number=parent_number,
                defaults={"approved": self.approved, "proposed_by": self.proposed_by},
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


def with_public_sources(lookup="sources"):
    """Prefetch the public sources of related rows into `public_sources`. Public pages and the
    API read that attribute, never `.sources`: a row not prefetched this way then shows no
    source, rather than its confidential ones."""
    return models.Prefetch(lookup, queryset=Source.objects.public(), to_attr="public_sources")


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
