from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .models import Case, Detainee, ExecutionGroup, Source


def home(request):
    published = Detainee.objects.published()
    return render(
        request,
        "cases/home.html",
        {
            "held_count": published.held().count(),
            "latest": published.order_by("-updated_at")[:10],
        },
    )


def detainee_detail(request, slug):
    detainee = get_object_or_404(Detainee.objects.published(), slug=slug)
    events = detainee.events.select_related("court", "facility", "case").prefetch_related(
        Prefetch("sources", queryset=Source.objects.public())
    )
    return render(
        request,
        "cases/detainee_detail.html",
        {
            "detainee": detainee,
            "events": events,
            "sources": Source.objects.public().filter(detainees=detainee),
        },
    )


def case_detail(request, slug):
    case = get_object_or_404(Case.objects.published().select_related("parent", "court"), slug=slug)
    defendants = Detainee.objects.published().filter(memberships__case=case)
    return render(request, "cases/case_detail.html", {"case": case, "defendants": defendants})


def echr_group(request, slug):
    group = get_object_or_404(ExecutionGroup.objects.select_related("lead_application"), slug=slug)
    return render(
        request,
        "cases/echr_group.html",
        {"group": group, "applications": group.applications.prefetch_related("violations")},
    )
