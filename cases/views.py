import datetime
import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.ratelimit import rate_limited

from . import exports
from . import stats as statistics
from .filters import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, SORT_CHOICES, YES_NO, DetaineeFilter
from .links import absolute_url
from .models import (
    Case,
    CaseDefendant,
    Charge,
    CustodyPeriod,
    DataVersion,
    Detainee,
    EchrApplication,
    Event,
    ExecutionGroup,
    Gender,
    State,
    Status,
    with_public_sources,
)

PAGE_CACHE_SECONDS = 60 * 60


def canonical_query(query, known):
    """`query` (a QueryDict) reduced to the parameters in `known`, empty values dropped, in a
    fixed order (`known`'s, then each parameter's values sorted): what the page shows depends
    on nothing else."""
    canonical = QueryDict(mutable=True)
    for name in known:
        values = sorted({value for value in query.getlist(name) if value.strip()})
        if values:
            canonical.setlist(name, values)
    canonical._mutable = False
    return canonical


def public_page(view=None, *, params=()):
    """Serve a public page from the cache for as long as the data it shows is unchanged.

    A public page looks the same to every visitor (nothing on it depends on who asks), so one
    copy serves all. The key holds the data version, read from the database on every request,
    so a publication, a correction or a retraction shows at once on every app server.

    The view sees only the query parameters it reads (`params`), in canonical order, and the key
    is built from those: `?utm=1`, `?q=&page=2` or a shuffled order cannot force a fresh render
    or fill the cache with copies. Absolute links come from SITE_URL when it is set (cases.links);
    otherwise from the request, and the key then holds the scheme and host too.
    """
    if view is None:
        return functools.partial(public_page, params=params)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.GET = canonical_query(request.GET, params)
        request.data_version = DataVersion.current()
        origin = "" if settings.SITE_URL else f"{request.scheme}://{request.get_host()}"
        path = f"{request.path}?{request.GET.urlencode()}"
        raw = f"{request.data_version}|{translation.get_language()}|{origin}|{path}"
        key = f"public-page:{hashlib.sha256(raw.encode()).hexdigest()}"
        cached = cache.get(key) if settings.PUBLIC_PAGE_CACHE else None
        if cached is not None:
            return HttpResponse(cached, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if settings.PUBLIC_PAGE_CACHE and response.status_code == 200 and not response.streaming:
            cache.set(key, response.content, PAGE_CACHE_SECONDS)
        return response

    return wrapped


def _published_detainees():
    return Prefetch("applicants", queryset=Detainee.objects.published().only("name", "slug"))


class NarrowPaginator(Paginator):
    """Finds a page's ids first, in a subquery, then reads those rows only.

    A deep page (OFFSET 50,000) then walks the narrow index on the sort columns instead of
    whole rows, still in one query.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def _page(request, object_list, per_page, count=None):
    """A page of results; a malformed or out-of-range page number never fails."""
    paginator = NarrowPaginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # known already: no COUNT query
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


LISTING_CACHE_SECONDS = 60 * 60


def _listing_summary(filterset, version):
    """The result count and facet counts, cached until the data changes.

    They are the listing's costly part (grouped counts over every published entry); keyed by
    the data version, a cached summary can never describe data that has since changed.
    """
    key = f"listing-summary:{version}:{filterset.cache_key()}"
    summary = cache.get(key)
    if summary is None:
        summary = {"count": filterset.qs.count(), "facets": filterset.facet_counts()}
        cache.set(key, summary, LISTING_CACHE_SECONDS)
    return {**summary, "version": version}


def _filters_fragment_key(request, version):
    """The rendered filter panel depends on the data, the language and the query, not the page."""
    query = sorted((k, v) for k, v in request.GET.lists() if k != "page")
    raw = f"{version}|{translation.get_language()}|{query}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _facet_groups(filterset, counts, selected):
    """The filter options with their counts, ready for the template."""
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
    notes = {"case": _("A case counts the people of the cases split off from it too.")}
    return [
        {"name": name, "label": fields[name].label, "options": options,
         "multiple": name in ("status", "occupation"), "note": notes.get(name, "")}
        for name, options in groups
    ]  # fmt: skip


LISTING_PARAMS = (*DetaineeFilter.base_filters, "page", "per_page")
STATS_PARAMS = (*DetaineeFilter.base_filters, "from", "to")


@rate_limited("listing")
@public_page(params=LISTING_PARAMS)
def detainee_list(request):
    filterset = DetaineeFilter(request.GET, queryset=Detainee.objects.published())
    per_page = _per_page(request)
    summary = _listing_summary(filterset, request.data_version)
    rows = filterset.qs.with_local_name().prefetch_related("occupations")
    page = _page(request, rows, per_page, summary["count"])
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
            "facet_groups": _facet_groups(filterset, summary["facets"], selected),
            "filters_key": _filters_fragment_key(request, summary["version"]),
            "active_filters": _active_filters(request, filterset),
            "errors": filterset.form.errors,
            "suggestions": suggestions,
            "selected": {name: values[0] if values else "" for name, values in selected.items()},
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "sort_choices": SORT_CHOICES,
        },
    )


def _merged_into(slug):
    """The published entry a merged duplicate's address now leads to (following a chain of
    merges), or None."""
    entry = Detainee.objects.filter(slug=slug, merged_into__isnull=False).first()
    for _step in range(10):
        if entry is None or entry.merged_into_id is None:
            break
        entry = Detainee.objects.filter(pk=entry.merged_into_id).first()
    return entry if entry is not None and entry.state == State.PUBLISHED else None


@public_page
def detainee_detail(request, slug):
    detainee = (
        Detainee.objects.published().with_local_name().with_public_parts().filter(slug=slug).first()
    )
    if detainee is None:
        # A duplicate merged into another entry: its address leads there.
        survivor = _merged_into(slug)
        if survivor is None:
            raise Http404
        return HttpResponsePermanentRedirect(survivor.get_absolute_url())
    events = detainee.events.select_related("court", "facility", "case").prefetch_related(
        with_public_sources()
    )
    memberships = (
        detainee.memberships.filter(case__state=State.PUBLISHED)
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "charges",
                queryset=Charge.objects.select_related(
                    "article__code", "requalified_from__code"
                ).prefetch_related(with_public_sources()),
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
    applications = detainee.echr_applications.select_related("group").prefetch_related(
        "violations", with_public_sources()
    )
    affiliations = detainee.affiliations.all()  # prefetched, with their public sources
    return render(
        request,
        "cases/detainee_detail.html",
        {
            "detainee": detainee,
            "events": events,
            "memberships": memberships,
            "applications": applications,
            "affiliations": affiliations,
            "permalink": absolute_url(request, detainee.get_absolute_url()),
        },
    )


@public_page(params=["page"])
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


@public_page
def case_detail(request, slug):
    case = Case.objects.published().select_related("parent", "court").filter(slug=slug).first()
    if case is None:
        # An individual proceeding merged into a named case: its address leads there.
        merged = Case.objects.filter(slug=slug, merged_into__state=State.PUBLISHED).first()
        if merged is None:
            raise Http404
        return HttpResponsePermanentRedirect(merged.merged_into.get_absolute_url())
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
        .prefetch_related(with_public_sources())
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


@public_page(params=["page"])
def echr_list(request):
    applications = (
        EchrApplication.objects.public()
        .select_related("group")
        .prefetch_related("violations", _published_detainees())
        .order_by("-judgment_on", "number")
    )
    groups = ExecutionGroup.objects.with_public_applications()
    return render(
        request,
        "cases/echr_list.html",
        {"page": _page(request, applications, 50), "groups": groups},
    )


@public_page
def echr_group(request, slug):
    group = get_object_or_404(
        ExecutionGroup.objects.with_public_applications().select_related("lead_application"),
        slug=slug,
    )
    applications = group.applications.public().prefetch_related(
        "violations", _published_detainees()
    )
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


@public_page
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
            "latest": published.with_local_name().order_by("-updated_at", "pk")[:10],
            "title": _("Political prisoners"),
        },
    )


@rate_limited("export")
def detainee_export(request):
    """The listing's rows as CSV, under the same filters, streamed a chunk of rows at a time.

    Malformed filter values are ignored, as on the listing. The filter's own lookups (an
    occupation's or a case's slug) run here; the rows are read while the response is sent.
    """
    filterset = DetaineeFilter(request.GET, queryset=Detainee.objects.published())
    records = exports.detainee_records(
        filterset.qs, base_url=absolute_url(request, "/").rstrip("/")
    )
    lines = exports.csv_lines(
        list(exports.DETAINEES.columns), records, language=translation.get_language()
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"detainees-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def open_data(request):
    """What the data holds, column by column, and the ways to download it."""
    return render(
        request,
        "cases/data.html",
        {
            "tables": exports.TABLES,
            "notes": exports.NOTES,
            "listing_url": reverse("cases:detainee-list"),
            "schema_url": reverse("api:schema"),
            "docs_url": reverse("api:docs"),
        },
    )


def _stats_detainees(request):
    """Published detainees under the listing's filters, and the FilterSet that chose them."""
    filterset = DetaineeFilter(request.GET, queryset=Detainee.objects.published())
    detainees = Detainee.objects.published().filter(*filterset.conditions().values())
    return filterset, detainees


@rate_limited("stats")
@public_page(params=STATS_PARAMS)
def stats(request):
    filterset, detainees = _stats_detainees(request)
    today = timezone.localdate()
    months, messages = statistics.month_range(request.GET, today)
    charts = [
        statistics.build_chart(name, detainees, months, today) for name in statistics.CHART_NAMES
    ]
    listing_params = request.GET.copy()
    for name in ("from", "to"):
        listing_params.pop(name, None)
    return render(
        request,
        "cases/stats.html",
        {
            "charts": charts,
            "months": months,
            "messages_": messages,
            "errors": filterset.form.errors,
            "active_filters": _active_filters(request, filterset),
            "listing_query": listing_params.urlencode(),
            "range_from": months[0].strftime("%Y-%m") if months else "",
            "range_to": months[-1].strftime("%Y-%m") if months else "",
        },
    )


@rate_limited("stats")
def stats_csv(request, chart):
    """One chart's numbers as CSV, under the same filters and range as the page."""
    if chart not in statistics.CHART_NAMES:
        raise Http404
    _filterset, detainees = _stats_detainees(request)
    today = timezone.localdate()
    months, _messages = statistics.month_range(request.GET, today)
    result = statistics.build_chart(chart, detainees, months, today)
    response = HttpResponse(
        exports.csv_rows(result.columns, result.rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="stats-{chart}.csv"'
    return response


@public_page
def methodology(request):
    return render(request, "cases/methodology.html")


@require_safe
def choose_language(request):
    """The language switcher: remember the visitor's language and go to the page in it.

    A plain link (GET), so that public pages stay the same for every visitor and need no
    CSRF token; the worst a forged link can do is change someone's language.
    """
    language = request.GET.get("language", "")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
