"""Pages of the network: home, clusters, membership steps, people and organizations."""

from django.urls import path

from network import bulk_views, sponsorship_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("clusters/new/", views.cluster_create, name="cluster_create"),
    path("clusters/<slug:slug>/", views.cluster_detail, name="cluster"),
    path("clusters/<slug:slug>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<slug:slug>/members/", views.cluster_members, name="cluster_members"),
    path("clusters/<slug:slug>/manage/", views.cluster_manage, name="cluster_manage"),
    path("clusters/<slug:slug>/invite/", views.cluster_invite, name="cluster_invite"),
    path("clusters/<slug:slug>/invite/list/", bulk_views.upload, name="invitation_list_upload"),
    path(
        "clusters/<slug:slug>/invite/list/<id:batch_id>/",
        bulk_views.preview,
        name="invitation_list",
    ),
    path(
        "clusters/<slug:slug>/invite/list/<id:batch_id>/send/",
        bulk_views.send,
        name="invitation_list_send",
    ),
    path(
        "clusters/<slug:slug>/invite/list/<id:batch_id>/problems.csv",
        bulk_views.problems_csv,
        name="invitation_list_problems",
    ),
    path(
        "clusters/<slug:slug>/invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("clusters/<slug:slug>/join/", views.cluster_join, name="cluster_join"),
    path("clusters/<slug:slug>/leave/", views.cluster_leave, name="cluster_leave"),
    path(
        "clusters/<slug:slug>/members/<id:membership_id>/<str:action>/",
        views.membership_action,
        name="membership_action",
    ),
    path(
        "clusters/<slug:slug>/sponsorship/request/",
        sponsorship_views.sponsorship_request,
        name="sponsorship_request",
    ),
    path(
        "clusters/<slug:slug>/sponsorship/<id:sponsorship_id>/<str:action>/",
        sponsorship_views.sponsorship_answer,
        name="sponsorship_answer",
    ),
    path(
        "agency/sponsorship/",
        sponsorship_views.agency_sponsorships,
        name="agency_sponsorships",
    ),
    path(
        "agency/sponsorship/invite/<slug:slug>/",
        sponsorship_views.sponsorship_offer,
        name="sponsorship_offer",
    ),
    path(
        "agency/sponsorship/<id:sponsorship_id>/<str:action>/",
        sponsorship_views.agency_sponsorship_answer,
        name="agency_sponsorship_answer",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("members/", views.directory, name="directory"),
    path("people/<id:user_id>/", views.person, name="person"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/organization/", views.organization_edit, name="organization_edit"),
    path("me/erase/", views.account_erase, name="account_erase"),
    path("account-erased/", views.account_erased, name="account_erased"),
]
