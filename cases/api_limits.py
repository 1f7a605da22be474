"""How much the API answers at once: page sizes and the anonymous request rate.

Apart from cases/api.py because REST_FRAMEWORK names these classes, and DRF imports them while
its views are being defined, before cases/api.py (which needs those views) could be.
"""

from rest_framework import throttling
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings

from config.ratelimit import client_id

from .filters import DEFAULT_PER_PAGE

MAX_PER_PAGE = 100


class Pagination(PageNumberPagination):
    """?page=2&per_page=50, like the listing; per_page is capped at 100."""

    page_size = DEFAULT_PER_PAGE
    page_size_query_param = "per_page"
    max_page_size = MAX_PER_PAGE


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous throttle, reading its rate when asked so that a changed setting applies.

    DRF's own class keeps the rates it found when it was imported.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        """The same client as every other limit here: an IPv6 address counts as its /64."""
        return client_id(request) or "unknown"
