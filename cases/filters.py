"""The detainee listing's filters: one FilterSet for the page, the CSV export and the API.

Each filter contributes one condition (a Q object) rather than chaining querysets, so that facet
counts can apply "every active filter but this one" to each facet in a single query.
"""

import hashlib

import django_filters as filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Case as CaseExpression
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .models import (
    ARTICLE_NUMBER_RE,
    Affiliation,
    Case,
    CaseDefendant,
    CaseDefendantQuerySet,
    Charge,
    ChargeQuerySet,
    CustodyPeriod,
    Detainee,
    EchrApplication,
    Gender,
    LegalArticle,
    Occupation,
    Organization,
    State,
    Status,
    localized,
)
from .text import name_condition

ISO_DATE = ["%Y-%m-%d"]
YES_NO = [("yes", _("yes")), ("no", _("no"))]
SORTS = {
    "name": ("name", "pk"),
    "-detained": (F("last_detained_on").desc(nulls_last=True), "name", "pk"),
    "detained": (F("last_detained_on").asc(nulls_last=True), "name", "pk"),
    "-sentence": (F("sentence_months").desc(nulls_last=True), "name", "pk"),
    "-updated": ("-updated_at", "pk"),
}
SORT_CHOICES = [
    ("name", _("name")),
    ("-detained", _("latest detention first")),
    ("detained", _("earliest detention first")),
    ("-sentence", _("longest sentence first")),
    ("-updated", _("recently updated")),
]
PER_PAGE_CHOICES = [10, 25, 50, 100]
DEFAULT_PER_PAGE = 25


class DateField(forms.DateField):
    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2024-04-29.")}


class IsoDateFilter(filters.DateFilter):
    field_class = DateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ISO_DATE)
        super().__init__(*args, **kwargs)


def _custody(*conditions, **lookups):
    return Exists(
        CustodyPeriod.objects.filter(
            *conditions, detainee=OuterRef("pk"), kind=CustodyPeriod.Kind.CUSTODY, **lookups
        )
    )


def _slug_parameter(description):
    """The API schema's type for a filter by slug, which has no model field to infer it from."""
    return extend_schema_field({"type": "string", "description": description})


def _has_echr_application():
    return Exists(EchrApplication.applicants.through.objects.filter(detainee_id=OuterRef("pk")))


class DetaineeFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Name"), max_length=200)
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices)
    occupation = _slug_parameter(_("Occupation slug, e.g. journalist; repeat for several."))(
        filters.ModelMultipleChoiceFilter(
            label=_("Occupation"), queryset=Occupation.objects.filter(approved=True),
            to_field_name="slug",
        )
    )  # fmt: skip
    organization = _slug_parameter(_("Organization slug."))(
        filters.ModelChoiceFilter(
            label=_("Organization"), queryset=Organization.objects.filter(approved=True),
            to_field_name="slug",
        )
    )  # fmt: skip
    case = _slug_parameter(_("Case slug; includes the cases split off from it."))(
        filters.ModelChoiceFilter(
            label=_("Case"), queryset=Case.objects.published(), to_field_name="slug"
        )
    )  # fmt: skip
    article = filters.CharFilter(
        label=_("Legal article"), max_length=30,
        validators=[RegexValidator(
            ARTICLE_NUMBER_RE, _("Write an article number like 206.3.2 or 193-1.3.1.")
        )],
    )  # fmt: skip
    dropped = filters.ChoiceFilter(label=_("Include dropped charges"), choices=[("yes", _("yes"))])
    gender = filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    detained_from = IsoDateFilter(label=_("Detained from"))
    detained_to = IsoDateFilter(label=_("Detained until"))
    echr = filters.ChoiceFilter(label=_("ECHR application"), choices=YES_NO)
    held_on = IsoDateFilter(label=_("Held on"))
    sort = filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES)

    class Meta:
        model = Detainee
        fields = []

    # --- One condition per active filter ------------------------------------------------------

    def conditions(self):
        """{filter name: Q} for every valid, non-empty filter value; invalid ones are ignored."""
        if hasattr(self, "_conditions"):
            return self._conditions
        data = self.valid_data()
        conditions = {}
        for name, value in data.items():
            if name == "sort" or value in (None, "", [], ()):
                continue
            if isinstance(value, QuerySet) and value.query.is_empty():
                continue
            condition = getattr(self, f"condition_{name}")(value)
            if condition is not None:
                conditions[name] = condition
        if "detained_from" in conditions and "detained_to" in conditions:
            # Both bounds must hold for the same detention, not for two different ones.
            del conditions["detained_from"], conditions["detained_to"]
            conditions["detained"] = Q(
                _custody(start__gte=data["detained_from"], start__lte=data["detained_to"])
            )
        self._conditions = conditions
        return conditions

    def condition_q(self, value):
        return name_condition(value)

    def condition_status(self, values):
        return Q(status__in=values)

    def condition_occupation(self, occupations):
        through = Detainee.occupations.through.objects.filter(
            detainee_id=OuterRef("pk"), occupation__in=occupations
        )
        return Q(Exists(through))

    def condition_organization(self, organization):
        return Q(
            Exists(Affiliation.objects.filter(detainee=OuterRef("pk"), organization=organization))
        )

    def memberships(self):
        """Published proceedings, and with "held on" a date, those still open on it: held then
        and charged then (`CaseDefendantQuerySet`, the statistics' definition too)."""
        memberships = CaseDefendantQuerySet(CaseDefendant).public()
        held_on = self.valid_data().get("held_on")
        return memberships.open_on(held_on) if held_on else memberships

    def condition_case(self, case):
        # A case includes the proceedings split off from it; unpublished cases never count.
        return Q(Exists(self.memberships().in_case(case).filter(detainee=OuterRef("pk"))))

    def condition_article(self, number):
        # Standing charges only (a dropped one no longer counts) unless `dropped=yes` asks for
        # every charge ever brought, in published cases.
        charges = ChargeQuerySet(Charge)
        if self.valid_data().get("dropped") != "yes":
            charges = charges.standing()
        charges = charges.filter(
            defendant__in=self.memberships().filter(detainee=OuterRef(OuterRef("pk"))),
            article__in=LegalArticle.objects.under(number),
        )
        return Q(Exists(charges))

    def condition_dropped(self, value):
        # Not a condition of its own: it widens the article filter (and its cache key).
        return None

    def condition_gender(self, value):
        return Q(gender=value)

    def condition_detained_from(self, value):
        return Q(_custody(start__gte=value))

    def condition_detained_to(self, value):
        return Q(_custody(start__lte=value))

    def condition_echr(self, value):
        return Q(_has_echr_application()) if value == "yes" else ~Q(_has_echr_application())

    def condition_held_on(self, value):
        # Held from the day of detention up to, not including, the day of release.
        return Q(_custody(Q(end__isnull=True) | Q(end__gt=value), start__lte=value))

    def filter_queryset(self, queryset):
        return queryset.filter(*self.conditions().values()).order_by(*self.ordering())

    def valid_data(self):
        """The cleaned values of the valid filters: a malformed one is left out, not fatal."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data

    def ordering(self):
        return SORTS[self.valid_data().get("sort") or "name"]

    # --- Facet counts ---------------------------------------------------------------------------

    def facet_counts(self):
        """How many detainees each option would give, under every other active filter.

        One query: a UNION ALL of grouped counts, one branch per facet, each branch counting
        the detainees that pass every active filter but its own.
        """
        conditions = self.conditions()

        def detainees(name):
            return self.queryset.filter(*[c for n, c in conditions.items() if n != name])

        # Plain QuerySets: modeltranslation's values() reorders the columns on translated
        # models, and a UNION matches them by position.
        def scalar(name, value):
            rows = QuerySet(Detainee).filter(pk__in=detainees(name).values("pk")).order_by()
            return rows.values(facet=Value(name), value=value, label=Value("")).annotate(
                n=Count("pk")
            )

        def related(name, model, field, **extra):
            rows = QuerySet(model).filter(detainee__in=detainees(name).values("pk"), **extra)
            return (
                rows.order_by()
                .values(
                    facet=Value(name),
                    value=F(f"{field}__slug"),
                    label=localized(f"{field}__name"),
                )
                .annotate(n=Count("detainee_id", distinct=True))
            )

        has_echr = CaseExpression(
            When(_has_echr_application(), then=Value("yes")), default=Value("no")
        )

        def cases():
            # A case counts the people of the cases split off from it too, each once: what its
            # filter returns.
            people = (
                self.memberships()
                .in_case(OuterRef("pk"))
                .filter(detainee__in=detainees("case").values("pk"))
                .order_by()
                .annotate(one=Value(1))
                .values("one")
                .annotate(n=Count("detainee_id", distinct=True))
                .values("n")
            )
            return (
                QuerySet(Case)
                .filter(state=State.PUBLISHED)
                .order_by()
                .values(
                    facet=Value("case"),
                    value=F("slug"),
                    label=localized("name"),
                    n=Coalesce(Subquery(people), 0),
                )
            )

        branches = [
            scalar("gender", F("gender")),
            scalar("echr", has_echr),
            related("occupation", Detainee.occupations.through, "occupation"),
            related("organization", Affiliation, "organization"),
            cases(),
        ]
        # order_by(): the combined query would otherwise take Detainee's default order.
        union = scalar("status", F("status")).union(*branches, all=True).order_by()
        counts = {"status": {}, "gender": {}, "echr": {}}
        lists = {"occupation": [], "organization": [], "case": []}
        for row in union:
            if row["facet"] in counts:
                counts[row["facet"]][row["value"]] = row["n"]
            elif row["n"]:
                lists[row["facet"]].append((row["value"], row["label"], row["n"]))
        for rows in lists.values():
            rows.sort(key=lambda row: (-row[2], row[1]))
        return {**counts, **lists}

    def cache_key(self):
        """What the result count and facet counts depend on: the valid filters and the language."""
        data = self.valid_data()
        parts = []
        for name in sorted(self.conditions()):
            if name == "detained":
                value = (data["detained_from"], data["detained_to"])
            else:
                value = data[name]
            if isinstance(value, (list, tuple, QuerySet)):
                value = sorted(str(getattr(v, "pk", v)) for v in value)
            elif hasattr(value, "pk"):
                value = value.pk
            parts.append(f"{name}={value}")
        if "article" in self.conditions() and data.get("dropped"):
            parts.append(f"dropped={data['dropped']}")
        raw = "&".join(parts) + f"|{get_language()}"
        return hashlib.sha256(raw.encode()).hexdigest()
