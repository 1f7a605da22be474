from django.http import JsonResponse

from cases.models import Detainee

FLOOR_FIELDS = ["slug", "name", "status", "in_custody_since", "sentence_months"]


def floor_view(request):
    """The cheapest page the listing could be: its first 25 rows as JSON from .values().

    One query, no template, no count, no filters: the benchmark divides each page's throughput
    by this one's to show what the framework, templates and extra queries cost.
    """
    rows = Detainee.objects.published().order_by("name").values(*FLOOR_FIELDS)[:25]
    return JsonResponse({"rows": list(rows)})
