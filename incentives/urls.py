"""Incentive pages and the agencies' API."""

from django.urls import path

from incentives.api import api
from incentives.views import agency, member, referrals

app_name = "incentives"

urlpatterns = [
    path("me/credits/", member.my_credits, name="my_credits"),
    path("me/credits/<id:contribution_id>/confirm/", member.confirm, name="confirm"),
    path(
        "me/credits/<id:programme_id>/<id:year>-<id:month>/",
        member.statement,
        name="statement",
    ),
    path("clusters/<slug:slug>/contributions/", member.review_queue, name="review_queue"),
    path(
        "clusters/<slug:slug>/contributions/<id:contribution_id>/<str:decision>/",
        member.review_decision,
        name="review_decision",
    ),
    path("agency/", agency.agency_home, name="agency"),
    path("agency/overview/", agency.agency_overview, name="agency_overview"),
    path("agency/programmes/new/", agency.programme_new, name="programme_new"),
    path("agency/programmes/<id:programme_id>/", agency.programme_detail, name="programme"),
    path(
        "agency/programmes/<id:programme_id>/members/<id:member_id>/<id:year>-<id:month>/",
        agency.member_statement,
        name="member_statement",
    ),
    path(
        "agency/programmes/<id:programme_id>/<str:table>.csv",
        agency.programme_csv,
        name="programme_csv",
    ),
    path(
        "agency/programmes/<id:programme_id>/<str:table>.svg",
        agency.programme_chart,
        name="programme_chart",
    ),
    path("agency/programmes/<id:programme_id>/rules/", agency.rule_save, name="rule_save"),
    path(
        "agency/programmes/<id:programme_id>/sharing/",
        agency.figure_sharing,
        name="figure_sharing",
    ),
    path("agency/programmes/<id:programme_id>/budget/", agency.budget_add, name="budget_add"),
    path("agency/programmes/<id:programme_id>/approve/", agency.month_approve, name="approve"),
    path("agency/programmes/<id:programme_id>/pay/", agency.member_pay, name="pay"),
    path(
        "agency/contributions/<id:contribution_id>/reverse/",
        agency.contribution_reverse,
        name="reverse",
    ),
    path("agency/referrals/", referrals.referrals, name="referrals"),
    path("agency/referrals/new/", referrals.referral_new, name="referral_new"),
    path("agency/referrals/<id:referral_id>/", referrals.referral_detail, name="referral"),
    path(
        "agency/referrals/<id:referral_id>/<str:action>/",
        referrals.referral_act,
        name="referral_act",
    ),
    path("agency/keys/", agency.token_new, name="token_new"),
    path("agency/keys/<id:token_id>/revoke/", agency.token_revoke, name="token_revoke"),
]

api_urlpatterns = [path("api/agency/", api.urls)]
