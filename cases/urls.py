from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("detainees/<slug:slug>/", views.detainee_detail, name="detainee-detail"),
    path("cases/<slug:slug>/", views.case_detail, name="case-detail"),
    path("echr/groups/<slug:slug>/", views.echr_group, name="echr-group"),
]
