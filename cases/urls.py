from django.urls import path

from . import importing, staff_search, views, workbench, workspace

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("detainees/", views.detainee_list, name="detainee-list"),
    path("detainees/export.csv", views.detainee_export, name="detainee-export"),
    path("detainees/<slug:slug>/", views.detainee_detail, name="detainee-detail"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<slug:slug>/", views.case_detail, name="case-detail"),
    path("echr/", views.echr_list, name="echr-list"),
    path("echr/groups/<slug:slug>/", views.echr_group, name="echr-group"),
    path("data/", views.open_data, name="open-data"),
    path("stats/", views.stats, name="stats"),
    path("stats/<slug:chart>.csv", views.stats_csv, name="stats-csv"),
    path("about/methodology/", views.methodology, name="methodology"),
    # The staff workspace: never linked from public pages, every view behind a sign-in.
    path("staff/", workspace.workspace, name="workspace"),
    path("staff/search/", staff_search.staff_search, name="staff-search"),
    path("staff/log-arrest/", workspace.log_arrest, name="log-arrest"),
    path("staff/detainees/<int:pk>/", workspace.staff_detainee, name="staff-detainee"),
    path("staff/detainees/<int:pk>/events/add/", workspace.add_event, name="add-event"),
    path("staff/detainees/<int:pk>/charges/add/", workspace.add_charge, name="add-charge"),
    path(
        "staff/detainees/<int:pk>/events/<int:event_pk>/correct/",
        workbench.correct_event,
        name="correct-event",
    ),
    path("staff/detainees/<int:pk>/correct/", workspace.correct, name="correct"),
    *[
        path(
            f"staff/detainees/<int:pk>/{part}/add/",
            workbench.add_part,
            {"part": part},
            name=f"add-{part}",
        )
        for part in workbench.PART_FORMS
    ],
    path("staff/detainees/<int:pk>/remove/", workbench.remove_part, name="remove-part"),
    path("staff/detainees/<int:pk>/merge/", workbench.merge_person, name="merge-person"),
    path(
        "staff/detainees/<int:pk>/sources/<int:source_pk>/confidential/",
        workbench.hide_source,
        name="hide-source",
    ),
    path("staff/detainees/<int:pk>/submit/", workspace.submit, name="submit"),
    path("staff/detainees/<int:pk>/review/", workspace.review_entry, name="review-entry"),
    path("staff/detainees/<int:pk>/retract/", workspace.retract, name="retract"),
    path("staff/detainees/<int:pk>/assign/", workspace.assign, name="assign"),
    path("staff/detainees/<int:pk>/history/", workbench.history, name="staff-history"),
    path(
        "staff/detainees/<int:pk>/history/<int:history_id>/restore/",
        workbench.restore,
        name="restore",
    ),
    path("staff/cases/<int:pk>/", workbench.staff_case, name="staff-case"),
    path("staff/cases/<int:pk>/correct/", workbench.correct_case, name="correct-case"),
    path("staff/cases/<int:pk>/merge/", workbench.merge_case, name="merge-case"),
    path("staff/changes/<int:pk>/reapply/", workspace.reapply_change, name="reapply-change"),
    path("staff/review/", workspace.review_queue, name="review-queue"),
    path("staff/import/", importing.import_arrests, name="import"),
    path("staff/import/confirm/", importing.import_confirm, name="import-confirm"),
    path("staff/import/template.csv", importing.import_template, name="import-template"),
    path("staff/import/timeline/", importing.import_timeline, name="import-timeline"),
    path(
        "staff/import/timeline/confirm/",
        importing.import_timeline_confirm,
        name="import-timeline-confirm",
    ),
    path(
        "staff/import/timeline/template.csv",
        importing.import_timeline_template,
        name="import-timeline-template",
    ),
    path("staff/review/changes/<int:pk>/", workspace.review_change, name="review-change"),
]
