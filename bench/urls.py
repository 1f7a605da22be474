"""The benchmark's URLconf (DJANGO_ROOT_URLCONF=bench.urls): the site's URLs plus the floor view."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

from .views import floor_view

urlpatterns = [
    path("bench/floor/", floor_view, name="bench-floor"),
    *site_urlpatterns,
]
