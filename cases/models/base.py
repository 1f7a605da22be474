"""Dates known to a precision, entries (what goes through review) and the data version."""

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .. import i18n

LANGUAGE_CODE_RE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# An article number as the codes write it: parts joined by dots, and any part may carry a
# hyphenated number of an article inserted later (193-1 comes after 193; 193-1.3.1 is part 3,
# point 1 of article 193-1).
ARTICLE_NUMBER_RE = r"^[0-9]+(-[0-9]+)?(\.[0-9]+(-[0-9]+)?)*$"
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
    saved_at = models.DateTimeField(
        _("last saved"),
        auto_now=True,
        help_text=_("Staff only. Any save, a staff note or an assignment included."),
    )
    updated_at = models.DateTimeField(
        _("last updated"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Public: shown as the page's last update: its publication or its last approved change."
        ),
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
            self.updated_at = self.updated_at or self.published_at
        super().save(*args, **kwargs)

    def mark_updated(self):
        """Stamp a change the public sees (a publication, an approved change, a restore), to be
        saved with it: what the page calls "Last updated". Staff-only saves leave it alone."""
        self.updated_at = timezone.now()

    @property
    def is_public(self):
        return self.state == State.PUBLISHED

    def internal_visible_to(self, user):
        """Whether `user` may read this entry's internal data (see `with_internal_access`)."""
        manager = type(self)._default_manager
        return manager.filter(pk=self.pk).with_internal_access(user).exists()


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
