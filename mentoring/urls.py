"""Mentoring pages."""

from django.urls import path

from mentoring.views import chain, outcomes, pairings, reports, sessions

app_name = "mentoring"

urlpatterns = [
    path("mentoring/", pairings.home, name="home"),
    path("clusters/<slug:slug>/reports/", reports.cluster_reports_page, name="cluster_reports"),
    path("clusters/<slug:slug>/reports/members.csv", reports.members_csv, name="members_csv"),
    path(
        "clusters/<slug:slug>/reports/engagement.csv",
        reports.engagement_csv,
        name="engagement_csv",
    ),
    path("clusters/<slug:slug>/reports/activity.csv", reports.activity_csv, name="activity_csv"),
    path("mentoring/needs/", pairings.needs_edit, name="needs"),
    path("mentoring/invitation/decline/", pairings.invitation_decline, name="invitation_decline"),
    path("clusters/<slug:slug>/mentoring/offer/", pairings.offer_edit, name="offer"),
    path("clusters/<slug:slug>/mentoring/cohort/", pairings.cohort, name="cohort"),
    path("mentoring/offers/<id:offer_id>/request/", pairings.request_mentor, name="request"),
    path("mentoring/pairings/<id:pairing_id>/", pairings.pairing_detail, name="pairing"),
    path("mentoring/pairings/<id:pairing_id>/goals/", outcomes.goal_add, name="goal_add"),
    path(
        "mentoring/pairings/<id:pairing_id>/sessions/new/",
        sessions.schedule_for_pairing,
        name="pairing_session_new",
    ),
    path(
        "mentoring/pairings/<id:pairing_id>/<str:action>/",
        pairings.pairing_action,
        name="pairing_action",
    ),
    path(
        "mentoring/goal-templates/<id:template_id>/adopt/", outcomes.adopt_goal, name="adopt_goal"
    ),
    path("mentoring/goals/<id:goal_id>/status/", outcomes.goal_status, name="goal_status"),
    path("mentoring/goals/<id:goal_id>/milestones/", outcomes.milestone_add, name="milestone_add"),
    path(
        "mentoring/milestones/<id:milestone_id>/toggle/",
        outcomes.milestone_toggle,
        name="milestone_toggle",
    ),
    path("clusters/<slug:slug>/sessions/", sessions.cluster_sessions, name="cluster_sessions"),
    path("clusters/<slug:slug>/sessions/new/", sessions.schedule_group, name="group_session_new"),
    path("clusters/<slug:slug>/outcomes/", outcomes.cluster_outcomes, name="cluster_outcomes"),
    path("clusters/<slug:slug>/knowledge-chain/", chain.cluster_chain, name="cluster_chain"),
    path(
        "agency/programmes/<id:programme_id>/knowledge-chain/",
        chain.programme_chain,
        name="programme_chain",
    ),
    path("sessions/<id:session_id>/", sessions.session_detail, name="session"),
    path("sessions/<id:session_id>/answer/", sessions.session_answer, name="session_answer"),
    path("sessions/<id:session_id>/cancel/", sessions.session_cancel, name="session_cancel"),
    path(
        "sessions/<id:session_id>/attendance/",
        sessions.session_attendance,
        name="session_attendance",
    ),
    path("sessions/<id:session_id>/notes/", sessions.session_notes, name="session_notes"),
    path("sessions/<id:session_id>/confirm/", sessions.session_confirm, name="session_confirm"),
    path("sessions/<id:session_id>/calendar.ics", sessions.session_ics, name="session_ics"),
    path("me/calendar/", sessions.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", sessions.calendar_feed, name="calendar_feed"),
    path("clusters/<slug:slug>/calendar/", sessions.cluster_calendar, name="cluster_calendar"),
    path(
        "calendar/<str:token>/<slug:slug>.ics",
        sessions.cluster_calendar_feed,
        name="cluster_calendar_feed",
    ),
    path("me/exports/", outcomes.my_exports, name="exports"),
    path("me/exports/<id:record_id>/delete/", outcomes.export_delete, name="export_delete"),
]
