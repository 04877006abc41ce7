"""Evidence pages: an agency's registry and imports, the links it confirms, each programme's
impact, and a firm's own customs records."""

from django.urls import path

from evidence import link_views, views

app_name = "evidence"

urlpatterns = [
    path("agency/evidence/", views.imports_home, name="imports"),
    path("agency/evidence/upload/", views.upload, name="upload"),
    path("agency/evidence/imports/<id:batch_id>/", views.batch_page, name="batch"),
    path(
        "agency/evidence/imports/<id:batch_id>/refused.csv",
        views.refused_csv,
        name="refused_csv",
    ),
    path("agency/evidence/imports/<id:batch_id>/confirm/", views.confirm, name="confirm"),
    path("agency/evidence/imports/<id:batch_id>/discard/", views.discard, name="discard"),
    path("agency/evidence/imports/<id:batch_id>/rollback/", views.rollback, name="rollback"),
    path(
        "agency/evidence/links/<id:organization_id>/confirm/",
        link_views.confirm_link,
        name="confirm_link",
    ),
    path(
        "agency/evidence/links/<id:organization_id>/withdraw/",
        link_views.withdraw_link,
        name="withdraw_link",
    ),
    path(
        "organizations/<id:organization_id>/customs-records/",
        link_views.own_records_page,
        name="own_records",
    ),
    path("agency/programmes/<id:programme_id>/impact/", views.impact, name="impact"),
    path(
        "agency/programmes/<id:programme_id>/impact/evaluate/",
        views.evaluate,
        name="evaluate",
    ),
    path(
        "agency/programmes/<id:programme_id>/impact/<str:outcome>.svg",
        views.impact_chart,
        name="impact_chart",
    ),
    path(
        "agency/programmes/<id:programme_id>/impact/report/",
        views.impact_report,
        name="impact_report",
    ),
    path(
        "agency/programmes/<id:programme_id>/impact/estimates.csv",
        views.impact_csv,
        name="impact_csv",
    ),
    path(
        "agency/programmes/<id:programme_id>/impact/differences/",
        views.differences_page,
        name="differences",
    ),
    path(
        "agency/programmes/<id:programme_id>/impact/differences.csv",
        views.differences_csv,
        name="differences_csv",
    ),
]
