from django.urls import path

from readiness import views

app_name = "readiness"

urlpatterns = [
    path("readiness/", views.home, name="home"),
    path("readiness/start/", views.start, name="start"),
    path("readiness/<id:assessment_id>/", views.result, name="result"),
    path("readiness/<id:assessment_id>/page/<index:number>/", views.page, name="page"),
    path("readiness/<id:assessment_id>/share/", views.share, name="share"),
    path("clusters/<slug:slug>/readiness/", views.cluster_heatmap, name="cluster_heatmap"),
    path("clusters/<slug:slug>/readiness/copy/", views.cluster_copy, name="cluster_copy"),
    path(
        "agency/programmes/<id:programme_id>/readiness/",
        views.programme_change,
        name="programme_change",
    ),
    path(
        "agency/programmes/<id:programme_id>/readiness/copy/",
        views.programme_copy,
        name="programme_copy",
    ),
    path(
        "readiness/questionnaires/<id:questionnaire_id>/",
        views.questionnaire,
        name="questionnaire",
    ),
    path(
        "readiness/questionnaires/<id:questionnaire_id>/questions/new/",
        views.question_add,
        name="question_add",
    ),
    path(
        "readiness/questionnaires/<id:questionnaire_id>/publish/",
        views.publish,
        name="publish",
    ),
    path(
        "readiness/questionnaires/<id:questionnaire_id>/new-version/",
        views.new_version,
        name="new_version",
    ),
    path("readiness/questions/<id:question_id>/", views.question_edit, name="question_edit"),
    path(
        "readiness/questions/<id:question_id>/remove/",
        views.question_remove,
        name="question_remove",
    ),
]
