"""The read-only JSON API at /api/v1/: published entries and public fields only.

Every serializer names its fields. Related rows that could be unpublished or confidential are
read from prefetches into `published_*` and `public_sources` attributes holding only what the
public may see, so that a missing prefetch fails loudly instead of leaking a draft or a
confidential source. The detainee list takes the listing's FilterSet and parameter names.
"""

import functools
import re

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.settings import api_settings

from .api_limits import MAX_PER_PAGE
from .filters import DetaineeFilter
from .links import absolute_url
from .models import (
    Affiliation,
    Case,
    CaseDefendant,
    Charge,
    CmDecision,
    ConventionArticle,
    Court,
    Detainee,
    DetaineeName,
    DetaineeOccupation,
    EchrApplication,
    Event,
    ExecutionGroup,
    Facility,
    LegalArticle,
    Occupation,
    Organization,
    SentenceKind,
    Source,
    State,
    with_public_sources,
)

# --- Prefetches: only what the public may see -------------------------------------------------


def published_detainees(to_attr, lookup):
    detainees = Detainee.objects.published().only("name", "slug").order_by("name", "pk")
    return Prefetch(lookup, queryset=detainees, to_attr=to_attr)


def published_cases(lookup="cases", to_attr="published_cases"):
    cases = Case.objects.published().order_by("name", "pk")
    return Prefetch(lookup, queryset=cases, to_attr=to_attr)


# --- Fields -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The absolute URL of the entry's public page."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute_url(self.context["request"], value.get_absolute_url())


def api_url(view_name, lookup_field="slug"):
    return serializers.HyperlinkedIdentityField(
        view_name=f"api:{view_name}-detail", lookup_field=lookup_field
    )


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["url", "title", "publisher", "published_on", "language", "archive_url"]


def sources_field():
    return SourceSerializer(source="public_sources", many=True, read_only=True)


class OccupationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Occupation
        fields = ["slug", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "abbreviation", "website"]


class CourtSerializer(serializers.ModelSerializer):
    class Meta:
        model = Court
        fields = ["slug", "name"]


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = ["slug", "name", "kind", "location"]


class LegalArticleSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code.short_name", read_only=True)

    class Meta:
        model = LegalArticle
        fields = ["code", "number", "title"]


class ConventionArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConventionArticle
        fields = ["code", "title"]


# --- References: a related entry in a few fields ----------------------------------------------


class DetaineeRefSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = api_url("detainee")

    class Meta:
        model = Detainee
        fields = ["slug", "name", "url", "api_url"]


class CaseRefSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = api_url("case")

    class Meta:
        model = Case
        fields = ["slug", "name", "url", "api_url"]


class ApplicationRefSerializer(serializers.ModelSerializer):
    api_url = api_url("echr-application", lookup_field="number")
    hudoc_url = serializers.URLField(read_only=True)

    class Meta:
        model = EchrApplication
        fields = ["number", "title", "hudoc_url", "api_url"]


class GroupRefSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = api_url("execution-group")

    class Meta:
        model = ExecutionGroup
        fields = ["slug", "name", "url", "api_url"]


# --- Detainees --------------------------------------------------------------------------------


class ChargeSerializer(serializers.ModelSerializer):
    article = LegalArticleSerializer(read_only=True, allow_null=True)
    requalified_from = LegalArticleSerializer(read_only=True, allow_null=True)
    sources = sources_field()

    class Meta:
        model = Charge
        fields = [
            "article", "requalified_from", "description", "action", "date", "date_precision",
            "sources",
        ]  # fmt: skip


class DetaineeChargeSerializer(ChargeSerializer):
    case = serializers.SlugField(source="defendant.case.slug", read_only=True)

    class Meta(ChargeSerializer.Meta):
        fields = ["case", *ChargeSerializer.Meta.fields]


class OtherNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = DetaineeName
        fields = ["name", "language", "script", "kind"]


class SourcedNameSerializer(OtherNameSerializer):
    sources = sources_field()

    class Meta(OtherNameSerializer.Meta):
        fields = [*OtherNameSerializer.Meta.fields, "sources"]


class SourcedOccupationSerializer(serializers.ModelSerializer):
    occupation = OccupationSerializer(read_only=True)
    sources = sources_field()

    class Meta:
        model = DetaineeOccupation
        fields = ["occupation", "sources"]


class AffiliationSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    sources = sources_field()

    class Meta:
        model = Affiliation
        fields = [
            "organization", "role", "start", "start_precision", "end", "end_precision", "sources",
        ]  # fmt: skip


class EventSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField()
    court = CourtSerializer(read_only=True, allow_null=True)
    facility = FacilitySerializer(read_only=True, allow_null=True)
    sources = sources_field()

    class Meta:
        model = Event
        fields = [
            "kind", "date", "date_precision", "case", "court", "facility", "description",
            "term_months", "term_days", "sentence_kind", "sentence_years", "sentence_months",
            "in_absentia", "sources",
        ]  # fmt: skip

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_case(self, event):
        """The event's case when it is published; an unpublished case is left out."""
        if event.case is None or not event.case.is_public:
            return None
        return CaseRefSerializer(event.case, context=self.context).data


class DetaineeSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = api_url("detainee")
    other_names = OtherNameSerializer(many=True, read_only=True)
    occupations = OccupationSerializer(many=True, read_only=True)
    days_in_custody = serializers.SerializerMethodField()
    sentence_kind = serializers.ChoiceField(
        choices=SentenceKind.choices, allow_blank=True, read_only=True
    )
    cases = CaseRefSerializer(source="published_cases", many=True, read_only=True)
    echr_applications = ApplicationRefSerializer(many=True, read_only=True)

    class Meta:
        model = Detainee
        fields = [
            "slug", "name", "url", "api_url", "other_names", "gender", "status", "status_since",
            "status_since_precision", "first_detained_on", "first_detained_on_precision",
            "last_detained_on", "last_detained_on_precision", "in_custody_since",
            "in_custody_since_precision", "released_on", "released_on_precision",
            "days_in_custody", "sentence_kind", "sentence_months", "occupations", "cases",
            "echr_applications", "updated_at",
        ]  # fmt: skip

    def get_days_in_custody(self, detainee) -> int:
        return detainee.days_in_custody(timezone.localdate())


class DetaineeDetailSerializer(DetaineeSerializer):
    other_names = SourcedNameSerializer(many=True, read_only=True)
    occupation_sources = SourcedOccupationSerializer(
        source="occupation_rows", many=True, read_only=True,
        help_text=_("Each occupation with the sources that give it."),
    )  # fmt: skip
    affiliations = AffiliationSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    charges = serializers.SerializerMethodField()
    sources = sources_field()

    class Meta(DetaineeSerializer.Meta):
        fields = [
            *DetaineeSerializer.Meta.fields, "occupation_sources", "born", "born_precision",
            "bio", "affiliations", "events", "charges", "sources",
        ]  # fmt: skip

    @extend_schema_field(DetaineeChargeSerializer(many=True))
    def get_charges(self, detainee):
        """Every dated charge step in the person's published cases, case by case."""
        charges = [c for m in detainee.published_memberships for c in m.charges.all()]
        return DetaineeChargeSerializer(charges, many=True, context=self.context).data


LISTING_PARAMETERS = [
    OpenApiParameter(
        "q", str,
        description=_(
            "Name, in any spelling: case, accents, Latin or Cyrillic script and the common "
            "transliterations of Azerbaijani names are ignored (Məmmədli, mammadli, Мамедли)."
        ),
    ),
    OpenApiParameter(
        "article", str,
        description=_(
            "A legal article number such as 206.3.2; 206 also finds its sub-articles. Charges "
            "standing now: a dropped charge does not count unless dropped=yes."
        ),
    ),
    OpenApiParameter(
        "dropped", str, enum=["yes"],
        description=_("yes: the article filter also finds charges since dropped or acquitted."),
    ),
    OpenApiParameter(
        "detained_from", OpenApiTypes.DATE,
        description=_(
            "Detained on or after this day (YYYY-MM-DD). With detained_to, both bounds hold for "
            "the same detention."
        ),
    ),
    OpenApiParameter(
        "detained_to", OpenApiTypes.DATE,
        description=_("Detained on or before this day (YYYY-MM-DD)."),
    ),
    OpenApiParameter(
        "held_on", OpenApiTypes.DATE,
        description=_(
            "In custody on this day (YYYY-MM-DD): from the day of detention up to, not "
            "including, the day of release. House arrest is not custody."
        ),
    ),
]  # fmt: skip


def _described(text, **list_options):
    """The same translatable description on the list and the detail operation (a docstring
    would be English in every language of the docs)."""
    return extend_schema_view(
        list=extend_schema(description=text, **list_options),
        retrieve=extend_schema(description=text),
    )


@_described(
    _("Published detainees. The list takes the listing's filters, parameter names and sorts."),
    parameters=LISTING_PARAMETERS,
)
class DetaineeViewSet(viewsets.ReadOnlyModelViewSet):
    """Published detainees. The list takes the listing's filters, parameter names and sorts."""

    lookup_field = "slug"
    filterset_class = DetaineeFilter

    def get_queryset(self):
        detainees = Detainee.objects.published().prefetch_related(
            "occupations", "echr_applications", published_cases()
        )
        if self.action != "retrieve":
            return detainees.prefetch_related("other_names")
        charges = Charge.objects.select_related(
            "article__code", "requalified_from__code"
        ).prefetch_related(with_public_sources())
        memberships = (
            CaseDefendant.objects.filter(case__state=State.PUBLISHED)
            .select_related("case")
            .prefetch_related(Prefetch("charges", queryset=charges))
            .order_by("case__name", "pk")
        )
        events = Event.objects.select_related("case", "court", "facility").prefetch_related(
            with_public_sources()
        )
        return detainees.with_public_parts().prefetch_related(
            Prefetch("events", queryset=events),
            Prefetch("memberships", queryset=memberships, to_attr="published_memberships"),
        )

    def get_serializer_class(self):
        return DetaineeDetailSerializer if self.action == "retrieve" else DetaineeSerializer

    def filter_queryset(self, queryset):
        # The listing's filters choose the list; a detail is found by its slug alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


# --- Cases ------------------------------------------------------------------------------------


class CaseChargeSerializer(ChargeSerializer):
    detainee = serializers.SlugField(source="defendant.detainee.slug", read_only=True)

    class Meta(ChargeSerializer.Meta):
        fields = ["detainee", *ChargeSerializer.Meta.fields]


class CaseSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = api_url("case")
    parent = serializers.SerializerMethodField()
    court = CourtSerializer(read_only=True, allow_null=True)
    defendants = DetaineeRefSerializer(source="published_defendants", many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "slug", "name", "url", "api_url", "parent", "court", "case_number", "opened_on",
            "opened_on_precision", "defendants", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_parent(self, case):
        """The case this one was split off from, when that one is published."""
        if case.parent is None or not case.parent.is_public:
            return None
        return CaseRefSerializer(case.parent, context=self.context).data


class CaseDetailSerializer(CaseSerializer):
    split_cases = CaseRefSerializer(source="published_split_cases", many=True, read_only=True)
    charges = serializers.SerializerMethodField()
    sources = sources_field()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "investigating_body", "description", "split_cases",
            "charges", "sources",
        ]  # fmt: skip

    @extend_schema_field(CaseChargeSerializer(many=True))
    def get_charges(self, case):
        """Every dated charge step of the case's published defendants."""
        charges = [c for m in case.published_memberships for c in m.charges.all()]
        return CaseChargeSerializer(charges, many=True, context=self.context).data


@_described(_("Published cases, with their published defendants."))
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published cases, with their published defendants."""

    lookup_field = "slug"

    def get_queryset(self):
        cases = (
            Case.objects.published()
            .select_related("parent", "court")
            .prefetch_related(published_detainees("published_defendants", "defendants"))
            .order_by("name", "pk")
        )
        if self.action != "retrieve":
            return cases
        charges = Charge.objects.select_related(
            "article__code", "requalified_from__code"
        ).prefetch_related(with_public_sources())
        memberships = (
            CaseDefendant.objects.filter(detainee__state=State.PUBLISHED)
            .select_related("detainee")
            .prefetch_related(Prefetch("charges", queryset=charges))
            .order_by("detainee__name", "pk")
        )
        return cases.prefetch_related(
            published_cases("split_cases", "published_split_cases"),
            Prefetch("memberships", queryset=memberships, to_attr="published_memberships"),
            with_public_sources(),
        )

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer


# --- The European Court of Human Rights -------------------------------------------------------


class EchrApplicationSerializer(serializers.ModelSerializer):
    api_url = api_url("echr-application", lookup_field="number")
    hudoc_url = serializers.URLField(read_only=True)
    applicants = DetaineeRefSerializer(source="published_applicants", many=True, read_only=True)
    violations = ConventionArticleSerializer(many=True, read_only=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)
    sources = sources_field()

    class Meta:
        model = EchrApplication
        fields = [
            "number", "title", "api_url", "hudoc_url", "applicants", "lodged_on",
            "communicated_on", "judgment_on", "final_on", "violations", "group", "sources",
        ]  # fmt: skip


@_described(
    _("Applications to the European Court of Human Rights; applicants are published detainees.")
)
class EchrApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Applications to the European Court of Human Rights; applicants are published detainees."""

    serializer_class = EchrApplicationSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,6}/[0-9]{2}"

    def get_queryset(self):
        return (
            EchrApplication.objects.public()
            .select_related("group")
            .prefetch_related(
                "violations",
                published_detainees("published_applicants", "applicants"),
                with_public_sources(),
            )
            .order_by("lodged_on", "number")
        )


class CmDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CmDecision
        fields = ["kind", "date", "date_precision", "reference", "url", "summary"]


class ExecutionGroupSerializer(serializers.ModelSerializer):
    url = PageUrlField()
    api_url = api_url("execution-group")
    lead_application = ApplicationRefSerializer(read_only=True, allow_null=True)
    application_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ExecutionGroup
        fields = [
            "slug", "name", "former_name", "url", "api_url", "supervision", "lead_application",
            "application_count", "description",
        ]  # fmt: skip

    def to_representation(self, group):
        data = super().to_representation(group)
        if not group.lead_is_public:
            data["lead_application"] = None
        return data


class ExecutionGroupDetailSerializer(ExecutionGroupSerializer):
    applications = ApplicationRefSerializer(many=True, read_only=True)
    decisions = CmDecisionSerializer(many=True, read_only=True)
    sources = sources_field()

    class Meta(ExecutionGroupSerializer.Meta):
        fields = [*ExecutionGroupSerializer.Meta.fields, "applications", "decisions", "sources"]


@_described(_("Groups of judgments under the Committee of Ministers' supervision."))
class ExecutionGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Groups of judgments under the Committee of Ministers' supervision."""

    lookup_field = "slug"

    def get_queryset(self):
        groups = (
            ExecutionGroup.objects.with_public_applications()
            .select_related("lead_application")
            .order_by("name", "pk")
        )
        if self.action != "retrieve":
            return groups
        return groups.prefetch_related(
            Prefetch("applications", queryset=EchrApplication.objects.public().order_by("number")),
            "decisions",
            with_public_sources(),
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ExecutionGroupDetailSerializer
        return ExecutionGroupSerializer


# --- Schema descriptions for readers ----------------------------------------------------------

PUBLIC_MARKER = re.compile(r"^Public(?: unless confidential)?(?:[.:,]\s*|$)")
SLUG_DESCRIPTION = _("Permanent identifier: the last part of the page's URL.")


def describe_for_readers(result, generator, request, public):
    """drf-spectacular hook: say what a field is, not how staff should treat it.

    Model help texts start with "Public" (a marker for staff: every field here is public) and
    a slug's tells editors how to fill it in.
    """

    def clean(node, name=None):
        if isinstance(node, list):
            for item in node:
                clean(item)
        elif isinstance(node, dict):
            if name == "slug" or node.get("name") == "slug":
                node["description"] = str(SLUG_DESCRIPTION)
                node.get("schema", {}).pop("description", None)
            elif isinstance(node.get("description"), str | Promise):
                text = PUBLIC_MARKER.sub("", str(node["description"]))
                node["description"] = text[:1].upper() + text[1:]
            for key, value in node.items():
                clean(value, key if isinstance(value, dict) else None)

    clean(result)
    return result


# --- Readable documentation, rendered on the server from the schema ---------------------------


def _is_blank(schema):
    return schema.get("maxLength") == 0 or schema.get("$ref", "").endswith(
        ("/BlankEnum", "/NullEnum")
    )


def _describe(schema):
    """(text, component name or None) for a schema: 'string (date) or null', 'list of Case'..."""
    nullable = schema.get("nullable", False)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            options = [s for s in schema[key] if not _is_blank(s) and s.get("type") != "null"]
            text, ref = _describe(options[0]) if len(options) == 1 else ("any", None)
            if len(options) < len(schema[key]) and not nullable:
                text = f"{text} or empty"
            return (f"{text} or null" if nullable else text), ref
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return (f"{name} or null" if nullable else name), name
    kind = schema.get("type", "")
    if kind == "array":
        text, ref = _describe(schema.get("items", {}))
        return f"list of {text}", ref
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if "enum" in schema:
        kind = f"{kind}: {', '.join(str(v) for v in schema['enum'] if v not in ('', None))}"
    return (f"{kind} or null" if nullable else kind), None


@functools.cache
def api_reference(language):
    """The schema as endpoints and components for the docs page, in `language` (its lazy
    descriptions are read in the language active now); built once per process and language."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = []
            for parameter in operation.get("parameters", []):
                text, ref = _describe(parameter.get("schema", {}))
                parameters.append(
                    {
                        "name": parameter["name"],
                        "location": parameter["in"],
                        "type": text,
                        "ref": ref,
                        "required": parameter.get("required", False),
                        "description": str(parameter.get("description", "")),
                    }
                )
            content = operation["responses"].get("200", {}).get("content", {})
            response = content.get("application/json", {}).get("schema", {})
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation["operationId"],
                    "description": str(operation.get("description", "")),
                    "parameters": parameters,
                    "response": _describe(response) if response else ("", None),
                }
            )
    components = []
    for name, component in schema["components"]["schemas"].items():
        fields = []
        for field_name, field_schema in component.get("properties", {}).items():
            text, ref = _describe(field_schema)
            fields.append(
                {
                    "name": field_name,
                    "type": text,
                    "ref": ref,
                    "description": str(field_schema.get("description", "")),
                }
            )
        text, _ref = _describe(component) if not fields else ("", None)
        components.append(
            {
                "name": name,
                "description": str(component.get("description", "")),
                "type": text,
                "fields": fields,
            }
        )
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "endpoints": endpoints,
        "components": components,
    }


def docs(request):
    """The API described for people: a server-rendered page, no JavaScript from a CDN."""
    return render(
        request,
        "cases/api_docs.html",
        {
            "reference": api_reference(translation.get_language()),
            "max_per_page": MAX_PER_PAGE,
            "rate": _anon_rate(),
        },
    )


def _anon_rate():
    return api_settings.DEFAULT_THROTTLE_RATES.get("anon") or _("unlimited")
