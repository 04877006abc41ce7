"""Guide pages."""

from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("guides/", views.library, name="library"),
    path("guides/desk/", views.desk, name="desk"),
    path("guides/new/", views.new_guide, name="new"),
    path("guides/<int:guide_id>/", views.guide, name="guide"),
    path("guides/<int:guide_id>/edit/", views.edit_guide, name="edit"),
    path("guides/<int:guide_id>/draft/", views.draft, name="draft"),
    path("guides/<int:guide_id>/versions/", views.version_list, name="versions"),
    path("guides/<int:guide_id>/versions/<int:number>/", views.version, name="version"),
    path("guides/<int:guide_id>/compare/", views.compare, name="compare"),
    path("guides/<int:guide_id>/<str:action>/", views.guide_action, name="action"),
    path(
        "guides/corrections/<int:suggestion_id>/<str:answer>/",
        views.resolve_correction,
        name="resolve_correction",
    ),
    path("guides/from-answer/<int:post_id>/", views.promote, name="promote"),
]
