"""Object-level checks: the other cluster's ids slipped into one's own pages, forms and API.

The matrix already sends each person at the other cluster's URLs; here the URL is one's
own and only an id inside it, or inside the form, names the other cluster's object.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import resolve, reverse

from incentives.models import Contribution
from mentoring.models import Attendance, Pairing
from mentoring.services import calendars
from network.models import Organization
from tests.factories import UserFactory, make_cluster
from tests.mentoring.conftest import cohort_form
from tests.security.conftest import count
from tests.security.matrix import fingerprint, table
from tests.security.routes import Probe, exp
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db


def probe(method, kwargs=None, data=None, **opts) -> Probe:
    return Probe(method, exp("-"), kwargs, data, **opts)


def membership_of(side, user):
    return side.cluster.memberships.get(user=user).pk


# (URL name, probe, role, expected): side a's URL, side b's id.
CASES = [
    (
        "membership_action",
        probe(
            "POST",
            lambda s, w: {
                "slug": s.cluster.slug,
                "membership_id": membership_of(w.b, w.b.follower),
                "action": "suspend",
            },
        ),
        "coordinator",
        "404",
    ),
    (
        "membership_action",
        probe(
            "POST",
            lambda s, w: {
                "slug": s.cluster.slug,
                "membership_id": membership_of(w.b, w.b.applicant),
                "action": "approve",
            },
        ),
        "coordinator",
        "404",
    ),
    (
        "invitation_revoke",
        probe(
            "POST",
            lambda s, w: {"slug": s.cluster.slug, "invitation_id": w.b.invitation.pk},
        ),
        "coordinator",
        "404",
    ),
    (
        "sponsorship_answer",
        probe(
            "POST",
            lambda s, w: {
                "slug": s.cluster.slug,
                "sponsorship_id": w.b.sponsorship.pk,
                "action": "revoke",
            },
        ),
        "coordinator",
        "404",
    ),
    (
        "incentives:review_decision",
        probe(
            "POST",
            lambda s, w: {
                "slug": s.cluster.slug,
                "contribution_id": w.b.review.pk,
                "decision": "approve",
            },
        ),
        "coordinator",
        "404",
    ),
    (
        "forums:topic_action",
        probe(
            "POST",
            lambda s, w: {"topic_id": s.topic.pk, "action": "move"},
            lambda s, w: {"cluster": w.b.cluster.slug},
            label="move into the other cluster",
        ),
        "coordinator",
        "404",
    ),
    (
        "mentoring:session_attendance",
        probe(
            "POST",
            lambda s, w: {"session_id": s.past_session.pk},
            lambda s, w: {f"came-{w.b.follower.pk}": "yes", f"came-{w.b.mentor.pk}": "yes"},
        ),
        "mentor",
        "no",
    ),
    (
        "mentoring:cohort",
        probe(
            "POST",
            lambda s, w: {"slug": s.cluster.slug},
            lambda s, w: cohort_form({w.b.follower.pk: w.b.offer.pk}, publish="1"),
            label="pair the other cluster's people",
        ),
        "coordinator",
        "no",
    ),
    (
        "mentoring:cohort",
        probe(
            "POST",
            lambda s, w: {"slug": s.cluster.slug},
            lambda s, w: cohort_form({s.follower.pk: w.b.offer.pk}, publish="1"),
            label="to the other cluster's mentor",
        ),
        "coordinator",
        "no",
    ),
    (
        "mentoring:goal_add",
        probe(
            "POST",
            lambda s, w: {"pairing_id": s.pairing.pk},
            lambda s, w: {
                "outcome": "diversification",
                "title": "Meta",
                "year": "2031",
                "pairing": w.b.pairing.pk,
            },
            label="a pairing id in the form is ignored",
        ),
        "follower",
        "ok",
    ),
    (
        "incentives:member_statement",
        probe(
            "GET",
            lambda s, w: {
                "programme_id": s.programme.pk,
                "member_id": w.b.mentor.pk,
                "year": s.credited.occurred_at.year,
                "month": s.credited.occurred_at.month,
            },
        ),
        "officer",
        "404",
    ),
    (
        "incentives:statement",
        probe(
            "GET",
            lambda s, w: {
                "programme_id": w.b.programme.pk,
                "year": s.credited.occurred_at.year,
                "month": s.credited.occurred_at.month,
            },
        ),
        "mentor",
        "404",
    ),
    (
        "incentives:pay",
        probe(
            "POST",
            lambda s, w: {"programme_id": s.programme.pk},
            lambda s, w: {"month": "2026-01", "member": w.b.mentor.pk, "reference": "X"},
        ),
        "officer",
        "no",
    ),
    (
        "incentives:programme_new",
        probe(
            "POST",
            data=lambda s, w: {
                "name": "Programa ajeno",
                "clusters": [s.cluster.pk, w.b.cluster.pk],
                "starts_on": "2030-01-01",
                "ends_on": "2030-12-31",
                "unit": "USD",
                "budget": "100",
            },
        ),
        "officer",
        "no",
    ),
    (
        "guides:new",
        probe(
            "POST",
            data=lambda s, w: {
                "cluster": w.b.cluster.pk,
                "title": "Guía",
                "summary": "Resumen",
                "body": "Texto",
                "language": "es",
            },
        ),
        "mentor",
        "no",
    ),
    (
        "guides:action",
        probe(
            "POST",
            lambda s, w: {"guide_id": s.guide.pk, "action": "add_author"},
            lambda s, w: {"handle": w.b.mentor.profile.handle},
            label="the other cluster's mentor as author",
        ),
        "mentor",
        "no",
    ),
    (
        "guides:resolve_correction",
        probe("POST", lambda s, w: {"suggestion_id": w.b.suggestion.pk, "answer": "accept"}),
        "coordinator",
        "404",
    ),
    (
        "forums:api_topic_posts",
        probe(
            "POST",
            lambda s, w: {"topic_id": w.b.topic.pk},
            lambda s, w: {"body": "hola", "topic": s.topic.pk},
            json=True,
            label="an own topic id in the body opens nothing",
        ),
        "follower",
        "404",
    ),
    (
        "mentoring:calendar_feed",
        probe("GET", lambda s, w: {"token": "x" * 43}, label="a made-up token"),
        "anonymous",
        "404",
    ),
]


def test_ids_of_the_other_cluster_inside_ones_own_requests_are_refused(matrix):
    outcomes = [
        matrix.run(name, case, role, expected=expected) for name, case, role, expected in CASES
    ]
    count("object ids of the other cluster in forms and bodies", len(outcomes))
    failures = [outcome for outcome in outcomes if not outcome.passed]
    assert not failures, table(failures)
    b = matrix.world.b
    assert not Attendance.objects.filter(attended=True, user__in=[b.follower, b.mentor]).exists()
    assert Pairing.objects.filter(follower=b.follower).count() == 1
    assert Contribution.objects.get(pk=b.review.pk).status == b.review.status


def test_a_revoked_calendar_token_is_refused(matrix):
    world = matrix.world
    with transaction.atomic():
        old = world.a.feed_token
        calendars.revoke_feed(user=world.a.follower)
        for role in ROLES:
            response = matrix.clients[role].get(reverse("mentoring:calendar_feed", args=[old]))
            assert response.status_code == 404, role
        transaction.set_rollback(True)
    count("revoked calendar tokens", len(ROLES))


@pytest.mark.parametrize("role", ["outsider", "follower", "coordinator"])
def test_nobody_makes_themselves_an_agency_officer(matrix, role):
    """The officer's powers follow from belonging to an agency; members cannot declare one."""
    client = matrix.clients[role]
    user = matrix.world.user(role)
    with transaction.atomic():
        before = fingerprint()
        response = client.post(
            reverse("organization_edit"),
            {"name": "Agencia propia", "kind": "agency", "country": "CO"},
        )
        assert response.status_code in (200, 302)
        assert not Organization.objects.filter(
            kind=Organization.Kind.AGENCY, people__user=user
        ).exists()
        assert client.get(reverse("incentives:agency")).status_code == 404
        assert fingerprint() == before
        transaction.set_rollback(True)
    count("self-made agency officers", 1)


def _slug_made_for(client, name: str) -> str:
    form = {"name": name, "sector": "agrifood", "country": "CO", "visibility": "public"}
    response = client.post(reverse("cluster_create"), form)
    assert response.status_code == 302, response.content
    return resolve(urlsplit(response.url).path).kwargs["slug"]


def test_the_slug_of_a_new_cluster_does_not_tell_a_private_clusters_name_is_taken(client):
    """A private cluster's name taken or not, the new slug has the same shape."""
    make_cluster(name="Secret Cafe", visibility="private")
    client.force_login(UserFactory())
    shapes = {
        re.sub(r"-[0-9a-f]{6}$", "-<random>", _slug_made_for(client, name))
        for name in ("Secret Cafe", "Open Tea")
    }
    assert shapes == {"secret-cafe-<random>", "open-tea-<random>"}
