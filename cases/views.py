import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .filters import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, SORT_CHOICES, YES_NO, DetaineeFilter
from .models import (
    Case,
    CaseDefendant,
    Charge,
    CustodyPeriod,
    Detainee,
    EchrApplication,
    Event,
    ExecutionGroup,
    Gender,
    Source,
    State,
    Status,
)


def _public_sources():
    return Prefetch("sources", queryset=Source.objects.public())


def _published_detainees():
    return Prefetch("applicants", queryset=Detainee.objects.published().only("name", "slug"))


def _page(request, object_list, per_page):
    """A page of results; a malformed or out-of-range page number never fails."""
    paginator = Paginator(object_list, per_page)
    number = request.GET.get("page", "")
    try:
        number = max(1, int(number))
    except ValueError:
        number = 1
    return paginator.get_page(min(number, max(paginator.num_pages, 1)))


def _per_page(request):
    try:
        value = int(request.GET.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        return DEFAULT_PER_PAGE
    return value if value in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


def _active_filters(request, filterset):
    """(filter label, value label, URL without that value) for each valid filter value in use."""
    data = filterset.valid_data()
    active = []
    for name, field in filterset.form.fields.items():
        raw_values = [v for v in request.GET.getlist(name) if v]
        if name == "sort" or name in filterset.form.errors or not raw_values:
            continue
        value = data.get(name)
        if hasattr(field, "queryset"):  # the objects validation fetched: no further query
            objects = value if isinstance(value, (list, tuple, QuerySet)) else [value]
            labels = {o.slug: str(o) for o in objects if o is not None}
        else:
            labels = {str(k): v for k, v in getattr(field, "choices", [])}
        for raw in raw_values:
            params = request.GET.copy()
            params.setlist(name, [v for v in raw_values if v != raw])
            params.pop("page", None)
            active.append((field.label, labels.get(raw, raw), f"?{params.urlencode()}"))
    return active


FACET_OPTIONS_SHOWN = 15


def _facet_groups(filterset, selected):
    """The filter options with their counts, ready for the template."""
    counts = filterset.facet_counts()
    groups = []
    for name, choices in [("status", Status.choices), ("gender", Gender.choices), ("echr", YES_NO)]:
        options = [
            {"value": value, "label": label, "count": counts[name].get(value, 0),
             "checked": value in selected[name]}
            for value, label in choices
        ]  # fmt: skip
        groups.append((name, [o for o in options if o["count"] or o["checked"]]))
    for name in ["occupation", "organization", "case"]:
        options = [
            {"value": value, "label": label, "count": n, "checked": value in selected[name]}
            for value, label, n in counts[name]
        ]
        shown = options[:FACET_OPTIONS_SHOWN] + [
            o for o in options[FACET_OPTIONS_SHOWN:] if o["checked"]
        ]
        groups.append((name, shown))
    fields = filterset.form.fields
    return [
        {"name": name, "label": fields[name].label, "options": options,
         "multiple": name in ("status", "occupation")}
        for name, options in groups
    ]  # fmt: skip


def detainee_list(request):
    filterset = DetaineeFilter(request.GET, queryset=Detainee.objects.published())
    per_page = _per_page(request)
    page = _page(request, filterset.qs.prefetch_related("occupations"), per_page)
    selected = {name: request.GET.getlist(name) for name in filterset.form.fields}
    query = filterset.valid_data().get("q")
    suggestions = (
        Detainee.objects.published().similar_names(query)
        if query and not page.paginator.count
        else []
    )
    return render(
        request,
        "cases/detainee_list.html",
        {
            "filterset": filterset,
            "page": page,
            "facet_groups": _facet_groups(filterset, selected),
            "active_filters": _active_filters(request, filterset),
            "errors": filterset.form.errors,
            "suggestions": suggestions,
            "selected": {name: values[0] if values else "" for name, values in selected.items()},
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "sort_choices": SORT_CHOICES,
        },
    )


def detainee_detail(request, slug):
    detainee = get_object_or_404(
        Detainee.objects.published().prefetch_related(
            "other_names",
            "occupations",
            Prefetch("sources", queryset=Source.objects.public(), to_attr="public_sources"),
        ),
        slug=slug,
    )
    events = detainee.events.select_related("court", "facility", "case").prefetch_related(
        _public_sources()
    )
    memberships = (
        detainee.memberships.filter(case__state=State.PUBLISHED)
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "charges",
                queryset=Charge.objects.select_related(
                    "article__code", "requalified_from__code"
                ).prefetch_related(_public_sources()),
            )
        )
    )
    memberships = list(memberships)
    co_defendants = (
        CaseDefendant.objects.filter(
            case__in=[m.case_id for m in memberships], detainee__state=State.PUBLISHED
        )
        .exclude(detainee=detainee)
        .select_related("detainee")
        .order_by("detainee__name")
    )
    by_case = {}
    for row in co_defendants:
        by_case.setdefault(row.case_id, []).append(row.detainee)
    for membership in memberships:
        membership.co_defendants = by_case.get(membership.case_id, [])
    applications = detainee.echr_applications.select_related("group").prefetch_related("violations")
    affiliations = detainee.affiliations.select_related("organization").prefetch_related(
        _public_sources()
    )
    return render(
        request,
        "cases/detainee_detail.html",
        {
            "detainee": detainee,
            "events": events,
            "memberships": memberships,
            "applications": applications,
            "affiliations": affiliations,
            "permalink": request.build_absolute_uri(detainee.get_absolute_url()),
        },
    )


def case_list(request):
    cases = (
        Case.objects.published()
        .select_related("parent")
        .annotate(
            defendant_count=Count(
                "memberships", filter=Q(memberships__detainee__state=State.PUBLISHED)
            )
        )
        .order_by("name", "pk")
    )
    return render(request, "cases/case_list.html", {"page": _page(request, cases, 50)})


def case_detail(request, slug):
    case = get_object_or_404(Case.objects.published().select_related("parent", "court"), slug=slug)
    split_cases = case.split_cases.published().order_by("name")
    memberships = (
        case.memberships.filter(detainee__state=State.PUBLISHED)
        .select_related("detainee")
        .prefetch_related(
            Prefetch("charges", queryset=Charge.objects.select_related("article__code"))
        )
        .order_by("detainee__name")
    )
    events = (
        Event.objects.filter(case=case, detainee__state=State.PUBLISHED)
        .select_related("detainee", "court")
        .prefetch_related(_public_sources())
        .order_by("date", "pk")
    )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parent": case.parent if case.parent and case.parent.is_public else None,
            "split_cases": split_cases,
            "memberships": memberships,
            "events": events,
            "sources": case.sources.public(),
        },
    )


def echr_list(request):
    applications = (
        EchrApplication.objects.select_related("group")
        .prefetch_related("violations", _published_detainees())
        .order_by("-judgment_on", "number")
    )
    groups = ExecutionGroup.objects.select_related("lead_application").annotate(
        application_count=Count("applications")
    )
    return render(
        request,
        "cases/echr_list.html",
        {"page": _page(request, applications, 50), "groups": groups},
    )


def echr_group(request, slug):
    group = get_object_or_404(ExecutionGroup.objects.select_related("lead_application"), slug=slug)
    applications = group.applications.prefetch_related("violations", _published_detainees())
    return render(
        request,
        "cases/echr_group.html",
        {
            "group": group,
            "applications": applications,
            "decisions": group.decisions.all(),
            "sources": group.sources.public(),
        },
    )


def home(request):
    published = Detainee.objects.published()
    since = timezone.localdate() - datetime.timedelta(days=30)
    new_detentions = (
        CustodyPeriod.objects.filter(
            kind=CustodyPeriod.Kind.CUSTODY, start__gte=since, detainee__state=State.PUBLISHED
        )
        .values("detainee")
        .distinct()
        .count()
    )
    return render(
        request,
        "cases/home.html",
        {
            "held_count": published.held().count(),
            "new_detentions": new_detentions,
            "latest": published.order_by("-updated_at", "pk")[:10],
            "title": _("Political prisoners"),
        },
    )
