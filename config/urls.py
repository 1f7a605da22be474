from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts.views import PasswordResetView
from cases.feeds import UpdatesFeed
from cases.views import choose_language
from config.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # Data out, not language-prefixed: the API and the feed answer at one address each.
    path("api/v1/", include("cases.api_urls")),
    path("feeds/updates.atom", UpdatesFeed(), name="updates-feed"),
    # The language switcher's links: remember the choice, then show the page in that language.
    path("language/", choose_language, name="choose-language"),
    # For load balancers: one address, whatever the language.
    path("healthz", healthz, name="healthz"),
    *i18n_patterns(
        # Before Django's own, which it replaces: the reset mail leaves after the answer.
        path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
        path("accounts/", include("django.contrib.auth.urls")),
        # Two-factor sign-in under /accounts/two-factor/, and the audit log under /staff/.
        path("", include("accounts.urls")),
        path("", include("cases.urls")),
        prefix_default_language=False,
    ),
]
