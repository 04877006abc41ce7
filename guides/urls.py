"""Guide pages."""

from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("guides/", views.library, name="library"),
    path("guides/desk/", views.desk, name="desk"),
    path("guides/new/", views.new_guide, name="new"),
    path("guides/<id:guide_id>/", views.guide, name="guide"),
    path("guides/<id:guide_id>/edit/", views.edit_guide, name="edit"),
    path("guides/<id:guide_id>/draft/", views.draft, name="draft"),
    path("guides/<id:guide_id>/versions/", views.version_list, name="versions"),
    path("guides/<id:guide_id>/versions/<id:number>/", views.version, name="version"),
    path("guides/<id:guide_id>/compare/", views.compare, name="compare"),
    path("guides/<id:guide_id>/<str:action>/", views.guide_action, name="action"),
    path(
        "guides/corrections/<id:suggestion_id>/<str:answer>/",
        views.resolve_correction,
        name="resolve_correction",
    ),
    path("guides/from-answer/<id:post_id>/", views.promote, name="promote"),
]
