"""/api/v1/: the read-only JSON API, its OpenAPI schema and its documentation."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import api

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False  # one address per resource: JSON is the only format
router.register("detainees", api.DetaineeViewSet, basename="detainee")
router.register("cases", api.CaseViewSet, basename="case")
router.register("echr-applications", api.EchrApplicationViewSet, basename="echr-application")
router.register("execution-groups", api.ExecutionGroupViewSet, basename="execution-group")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api.docs, name="docs"),
    *router.urls,
]
