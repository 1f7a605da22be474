from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("detainees/", views.detainee_list, name="detainee-list"),
    path("detainees/<slug:slug>/", views.detainee_detail, name="detainee-detail"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<slug:slug>/", views.case_detail, name="case-detail"),
    path("echr/", views.echr_list, name="echr-list"),
    path("echr/groups/<slug:slug>/", views.echr_group, name="echr-group"),
]
