"""Absolute links to the site's own pages, in one place.

With SITE_URL set (production), every absolute link (canonical and language alternates, the
"cite this page" permalink, the API's and the export's page URLs) starts with it, whatever Host
header a request carried: a page served from the cache to everyone cannot carry a link to
another host or port. Without it (development), links follow the request.
"""

from django.conf import settings


def absolute_url(request, path):
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)
