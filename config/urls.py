from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cases.feeds import UpdatesFeed

urlpatterns = [
    path("admin/", admin.site.urls),
    # Data out, not language-prefixed: the API and the feed answer at one address each.
    path("api/v1/", include("cases.api_urls")),
    path("feeds/updates.atom", UpdatesFeed(), name="updates-feed"),
    *i18n_patterns(
        path("accounts/", include("django.contrib.auth.urls")),
        path("", include("cases.urls")),
        prefix_default_language=False,
    ),
]
