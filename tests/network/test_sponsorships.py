"""Sponsorship is agreed by both sides: a cluster's coordinators and an agency's officers."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.errors import DomainError, NotAllowed
from incentives import selectors as incentive_selectors
from incentives import services
from network import selectors
from network.models import Cluster, MembershipEvent, Sponsorship
from network.services import invitations, memberships, sponsorships
from tests.factories import (
    AgencyFactory,
    OrganizationFactory,
    UserFactory,
    add_member,
    make_cluster,
)
from tests.incentives.conftest import build

pytestmark = pytest.mark.django_db
Status = Sponsorship.Status


def officer_of(agency):
    return UserFactory(organization=agency)


@pytest.fixture
def sides():
    agency = AgencyFactory(name="Agencia Andina")
    officer = officer_of(agency)
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator, name="Café del Huila")
    return agency, officer, cluster, coordinator


def shown_sponsors(cluster):
    found = selectors.with_sponsors(Cluster.objects.filter(pk=cluster.pk)).get()
    return [s.agency for s in found.active_sponsorships]


def test_a_request_becomes_a_sponsorship_only_when_an_officer_accepts(sides):
    agency, officer, cluster, coordinator = sides
    request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    assert request.status == Status.REQUESTED
    assert shown_sponsors(cluster) == []
    assert list(selectors.sponsored_clusters(agency)) == []
    assert selectors.sponsor_of(cluster) is None

    accepted = sponsorships.accept_sponsorship(sponsorship=request, by=officer)

    assert accepted.status == Status.ACTIVE
    assert (accepted.requested_by, accepted.decided_by) == (coordinator, officer)
    assert accepted.decided_at is not None
    assert shown_sponsors(cluster) == [agency]
    assert list(selectors.sponsored_clusters(agency)) == [cluster]
    assert selectors.sponsor_of(cluster) == agency


def test_an_offer_becomes_a_sponsorship_only_when_a_coordinator_accepts(sides):
    agency, officer, cluster, coordinator = sides
    offer = sponsorships.offer_sponsorship(cluster=cluster, by=officer)
    assert offer.status == Status.OFFERED
    assert list(selectors.sponsored_clusters(agency)) == []

    sponsorships.accept_sponsorship(sponsorship=offer, by=coordinator)

    assert list(selectors.sponsored_clusters(agency)) == [cluster]


def test_each_step_is_in_the_clusters_trail_and_told_to_the_other_side(
    sides, django_capture_on_commit_callbacks
):
    agency, officer, cluster, coordinator = sides
    with django_capture_on_commit_callbacks(execute=True):
        request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "Café del Huila" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sponsorships.accept_sponsorship(sponsorship=request, by=officer)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    actions = list(
        MembershipEvent.objects.filter(cluster=cluster)
        .order_by("id")
        .values_list("action", "actor", "detail")
    )
    assert actions[-2:] == [
        ("sponsorship_requested", coordinator.pk, "Agencia Andina"),
        ("sponsorship_accepted", officer.pk, "Agencia Andina"),
    ]


def test_nobody_but_the_other_side_decides(sides):
    agency, officer, cluster, coordinator = sides
    mentor = add_member(cluster, role="mentor")
    other_officer = officer_of(AgencyFactory())
    request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    for person in (coordinator, mentor, other_officer, UserFactory()):
        with pytest.raises(NotAllowed):
            sponsorships.accept_sponsorship(sponsorship=request, by=person)
        with pytest.raises(NotAllowed):
            sponsorships.decline_sponsorship(sponsorship=request, by=person)
    offer = sponsorships.offer_sponsorship(cluster=cluster, by=other_officer)
    for person in (other_officer, officer, mentor):
        with pytest.raises(NotAllowed):
            sponsorships.accept_sponsorship(sponsorship=offer, by=person)
    assert set(Sponsorship.objects.values_list("status", flat=True)) == {
        Status.REQUESTED,
        Status.OFFERED,
    }


def test_someone_on_both_sides_cannot_agree_with_themself(sides):
    agency, officer, cluster, _coordinator = sides
    add_member(cluster, officer, role="coordinator")
    request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=officer)
    with pytest.raises(NotAllowed):
        sponsorships.accept_sponsorship(sponsorship=request, by=officer)
    assert sponsorships.accept_sponsorship(sponsorship=request, by=officer_of(agency)).is_active


def test_accepting_twice_changes_nothing(sides, django_capture_on_commit_callbacks):
    agency, officer, cluster, coordinator = sides
    request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    first = sponsorships.accept_sponsorship(sponsorship=request, by=officer)
    events = MembershipEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = sponsorships.accept_sponsorship(sponsorship=request, by=officer_of(agency))
    assert (again.status, again.decided_by, again.decided_at) == (
        Status.ACTIVE,
        officer,
        first.decided_at,
    )
    assert MembershipEvent.objects.count() == events
    assert callbacks == []


def test_either_side_ends_an_active_sponsorship_and_it_is_recorded(sides):
    agency, officer, cluster, coordinator = sides
    for ender in (officer, coordinator):
        active = sponsorships.accept_sponsorship(
            sponsorship=sponsorships.request_sponsorship(
                cluster=cluster, agency=agency, by=coordinator
            ),
            by=officer,
        )
        ended = sponsorships.revoke_sponsorship(sponsorship=active, by=ender)
        assert (ended.status, ended.revoked_by) == (Status.REVOKED, ender)
        assert ended.revoked_at is not None
        assert shown_sponsors(cluster) == []
        assert list(selectors.sponsored_clusters(agency)) == []
    assert Sponsorship.objects.filter(status=Status.REVOKED).count() == 2


def test_outsiders_cannot_end_a_sponsorship(sides):
    _agency, officer, cluster, coordinator = sides
    active = sponsorships.accept_sponsorship(
        sponsorship=sponsorships.offer_sponsorship(cluster=cluster, by=officer), by=coordinator
    )
    for person in (add_member(cluster), officer_of(AgencyFactory()), UserFactory()):
        with pytest.raises(NotAllowed):
            sponsorships.revoke_sponsorship(sponsorship=active, by=person)
    active.refresh_from_db()
    assert active.is_active


def test_only_the_proposing_side_withdraws_a_proposal(sides):
    agency, officer, cluster, coordinator = sides
    offer = sponsorships.offer_sponsorship(cluster=cluster, by=officer)
    with pytest.raises(NotAllowed):
        sponsorships.revoke_sponsorship(sponsorship=offer, by=coordinator)
    withdrawn = sponsorships.revoke_sponsorship(sponsorship=offer, by=officer)
    assert withdrawn.status == Status.WITHDRAWN
    with pytest.raises(DomainError):
        sponsorships.accept_sponsorship(sponsorship=offer, by=coordinator)
    assert list(selectors.sponsored_clusters(agency)) == []


def test_a_declined_proposal_can_be_made_again(sides):
    agency, officer, cluster, coordinator = sides
    request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    sponsorships.decline_sponsorship(sponsorship=request, by=officer)
    with pytest.raises(DomainError):
        sponsorships.accept_sponsorship(sponsorship=request, by=officer)
    again = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    assert again.pk != request.pk and again.status == Status.REQUESTED


def test_one_open_proposal_per_cluster_and_agency(sides):
    agency, officer, cluster, coordinator = sides
    sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    with pytest.raises(DomainError):
        sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    with pytest.raises(DomainError):
        sponsorships.offer_sponsorship(cluster=cluster, by=officer)
    assert Sponsorship.objects.count() == 1


def test_a_cluster_can_have_several_sponsors(sides):
    agency, officer, cluster, coordinator = sides
    second = AgencyFactory(name="Promotora Rioplatense")
    for each, its_officer in ((agency, officer), (second, officer_of(second))):
        sponsorships.accept_sponsorship(
            sponsorship=sponsorships.request_sponsorship(
                cluster=cluster, agency=each, by=coordinator
            ),
            by=its_officer,
        )
    assert shown_sponsors(cluster) == [agency, second]
    assert selectors.sponsor_of(cluster) == agency


def test_only_agencies_are_asked_and_only_coordinators_ask(sides):
    agency, _officer, cluster, coordinator = sides
    with pytest.raises(DomainError):
        sponsorships.request_sponsorship(
            cluster=cluster, agency=OrganizationFactory(), by=coordinator
        )
    with pytest.raises(NotAllowed):
        sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=add_member(cluster))
    with pytest.raises(NotAllowed):
        sponsorships.offer_sponsorship(cluster=cluster, by=coordinator)
    assert not Sponsorship.objects.exists()


def test_an_officer_cannot_offer_to_a_private_cluster_they_cannot_see(sides):
    _agency, officer, _cluster, _coordinator = sides
    hidden = make_cluster(visibility="private")
    with pytest.raises(NotAllowed):
        sponsorships.offer_sponsorship(cluster=hidden, by=officer)
    assert not Sponsorship.objects.exists()


def test_a_programme_covers_only_clusters_with_an_active_sponsorship(sides):
    agency, officer, cluster, coordinator = sides
    request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
    today = datetime.date.today()
    terms = {
        "by": officer,
        "name": "Programa",
        "clusters": [cluster],
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=90),
        "unit": "USD",
        "budget": Decimal("100"),
    }
    with pytest.raises(DomainError):
        services.create_programme(**terms)
    sponsorships.accept_sponsorship(sponsorship=request, by=officer)
    assert services.create_programme(**terms).clusters.get() == cluster


# --- Pages -----------------------------------------------------------------------------


def test_the_coordinator_asks_and_the_officer_accepts_through_the_pages(client, sides):
    agency, officer, cluster, coordinator = sides
    client.force_login(coordinator)
    manage = client.get(reverse("cluster_manage", args=[cluster.slug]))
    assert "No agency sponsors this cluster yet" in manage.content.decode()
    client.post(reverse("sponsorship_request", args=[cluster.slug]), {"agency": agency.pk})
    assert (
        "Sponsored by Agencia Andina"
        not in client.get(cluster.get_absolute_url()).content.decode()
    )

    client.force_login(officer)
    page = client.get(reverse("agency_sponsorships")).content.decode()
    assert "Café del Huila asks for your sponsorship." in page
    request = Sponsorship.objects.get()
    client.post(reverse("agency_sponsorship_answer", args=[request.pk, "accept"]))

    assert "Sponsored by Agencia Andina" in client.get(cluster.get_absolute_url()).content.decode()
    assert "Café del Huila" in client.get(reverse("incentives:programme_new")).content.decode()


def test_an_officer_finds_and_invites_a_public_cluster(client, sides):
    _agency, officer, cluster, coordinator = sides
    hidden = make_cluster(visibility="private", name="Café secreto")
    client.force_login(officer)
    page = client.get(reverse("agency_sponsorships"), {"q": "Café"}).content.decode()
    assert "Café del Huila" in page and "Café secreto" not in page
    client.post(reverse("sponsorship_offer", args=[cluster.slug]))
    assert Sponsorship.objects.get().status == Status.OFFERED
    assert client.post(reverse("sponsorship_offer", args=[hidden.slug])).status_code == 404

    client.force_login(coordinator)
    manage = client.get(reverse("cluster_manage", args=[cluster.slug])).content.decode()
    assert "Agencia Andina offers to sponsor this cluster." in manage


def test_the_manage_and_agency_pages_read_each_line_with_its_list(client, sides, refetched):
    """Members, requests, invitations, events and sponsorships come with the columns their
    lines show; a column left out would be fetched again for each line while the page
    renders."""
    _agency, officer, cluster, coordinator = sides
    sponsorships.accept_sponsorship(
        sponsorship=sponsorships.offer_sponsorship(cluster=cluster, by=officer), by=coordinator
    )
    asked = AgencyFactory(name="Agencia Caribe")
    sponsorships.request_sponsorship(cluster=cluster, agency=asked, by=coordinator)
    offering = AgencyFactory(name="Agencia Sur")
    sponsorships.offer_sponsorship(cluster=cluster, by=officer_of(offering))
    ended = AgencyFactory(name="Agencia Norte")
    revoked = sponsorships.accept_sponsorship(
        sponsorship=sponsorships.request_sponsorship(
            cluster=cluster, agency=ended, by=coordinator
        ),
        by=officer_of(ended),
    )
    sponsorships.revoke_sponsorship(sponsorship=revoked, by=coordinator)
    add_member(cluster, UserFactory(name="Rosa Miembro"))
    memberships.request_to_join(
        cluster=cluster,
        user=UserFactory(name="Tomás Pide", organization=OrganizationFactory(name="Finca Tomás")),
        role="follower",
        message="Exportamos.",
    )
    invitations.invite_member(
        cluster=cluster, by=coordinator, email="nueva@example.org", role="mentor"
    )

    client.force_login(coordinator)
    page = client.get(reverse("cluster_manage", args=[cluster.slug])).content.decode()
    for line in (
        "Sponsored by Agencia Andina",
        "Waiting for Agencia Caribe to answer.",
        "Agencia Sur offers to sponsor this cluster.",
        "Agencia Norte",
        "Rosa Miembro",
        "Finca Tomás",
        "Tomás Pide",
        "Exportamos.",
        "nueva@example.org",
    ):
        assert line in page, line
    client.force_login(officer)
    page = client.get(reverse("agency_sponsorships")).content.decode()
    assert "Café del Huila" in page
    assert refetched == []


def test_pages_of_other_clusters_and_agencies_answer_404(client, sides):
    _agency, officer, cluster, coordinator = sides
    active = sponsorships.accept_sponsorship(
        sponsorship=sponsorships.offer_sponsorship(cluster=cluster, by=officer), by=coordinator
    )
    client.force_login(officer_of(AgencyFactory()))
    assert (
        client.post(reverse("agency_sponsorship_answer", args=[active.pk, "revoke"])).status_code
        == 404
    )
    client.force_login(make_cluster().memberships.get().user)
    other_slug = Cluster.objects.exclude(pk=cluster.pk).get().slug
    url = reverse("sponsorship_answer", args=[other_slug, active.pk, "revoke"])
    assert client.post(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("agency_sponsorships")).status_code == 404
    active.refresh_from_db()
    assert active.is_active


# --- Mass assignment -------------------------------------------------------------------

CLUSTER_FIELDS = {
    "name": "Café del Huila",
    "sector": "agrifood",
    "country": "CO",
    "visibility": "public",
}


def test_editing_a_cluster_cannot_name_a_sponsor(client, sides):
    agency, officer, cluster, coordinator = sides
    client.force_login(coordinator)
    response = client.post(
        reverse("cluster_edit", args=[cluster.slug]), {**CLUSTER_FIELDS, "sponsor": agency.pk}
    )
    assert response.status_code == 302
    assert "Agencia Andina" not in client.get(cluster.get_absolute_url()).content.decode()
    client.force_login(officer)
    assert "Café del Huila" not in client.get(reverse("incentives:programme_new")).content.decode()
    assert list(selectors.sponsored_clusters(agency)) == []


def test_creating_a_cluster_cannot_name_a_sponsor(client, sides):
    agency, _officer, _cluster, _coordinator = sides
    client.force_login(UserFactory())
    response = client.post(
        reverse("cluster_create"), {**CLUSTER_FIELDS, "name": "Cacao nuevo", "sponsor": agency.pk}
    )
    assert response.status_code == 302
    created = Cluster.objects.get(name="Cacao nuevo")
    assert "Agencia Andina" not in client.get(created.get_absolute_url()).content.decode()
    assert list(selectors.sponsored_clusters(agency)) == []


def test_proposals_waiting_show_on_my_network(client, sides):
    agency, officer, cluster, coordinator = sides
    sponsorships.offer_sponsorship(cluster=cluster, by=officer)
    client.force_login(coordinator)
    assert "Agencia Andina offers to sponsor Café del Huila." in client.get("/").content.decode()
    other = make_cluster(coordinator=coordinator, name="Cacao de la Costa")
    sponsorships.request_sponsorship(cluster=other, agency=agency, by=coordinator)
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert "Cacao de la Costa asks for your sponsorship." in page
    assert "offers to sponsor" not in page


def test_an_ended_sponsorship_stops_the_agencys_programmes_crediting_the_cluster():
    setting = build()

    def session(n):
        return services.record_contribution(
            kind="session_held",
            actor=setting.mentor,
            counterpart=setting.follower,
            cluster=setting.cluster,
            source=f"mentoring.session:{n}",
            confirmed_by=setting.follower,
            hours=1,
        )

    assert session(1).status == "credited"
    sponsorship = Sponsorship.objects.get(cluster=setting.cluster, agency=setting.agency)
    sponsorships.revoke_sponsorship(sponsorship=sponsorship, by=setting.coordinator)
    assert session(2) is None
    assert incentive_selectors.member_balance(setting.programme, setting.mentor) == Decimal("50")


# --- Data that predates agreements -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_sponsor_named_before_agreements_becomes_an_active_sponsorship():
    before, after = ("network", "0005_sponsorship"), ("network", "0007_remove_cluster_sponsor")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    agency = old.get_model("network", "Organization").objects.create(
        name="Agencia Andina", kind="agency", country="CO"
    )
    cluster = old.get_model("network", "Cluster").objects.create(
        name="Café", slug="cafe", sector="agrifood", country="CO", sponsor=agency
    )
    old.get_model("network", "Cluster").objects.create(
        name="Cacao", slug="cacao", sector="agrifood", country="EC"
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps
        rows = list(
            new.get_model("network", "Sponsorship").objects.values_list(
                "cluster_id", "agency_id", "status"
            )
        )
        assert rows == [(cluster.pk, agency.pk, "active")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize("size", [2, 30])
def test_the_agency_page_queries_do_not_grow(client, django_assert_max_num_queries, sides, size):
    agency, officer, _cluster, _coordinator = sides
    for n in range(size):
        coordinator = UserFactory()
        cluster = make_cluster(coordinator=coordinator, name=f"Cluster {n:03}")
        request = sponsorships.request_sponsorship(cluster=cluster, agency=agency, by=coordinator)
        if n % 3 == 0:
            sponsorships.accept_sponsorship(sponsorship=request, by=officer)
        elif n % 3 == 1:
            sponsorships.decline_sponsorship(sponsorship=request, by=officer)
    client.force_login(officer)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("agency_sponsorships"), {"q": "Cluster"})
    assert page.status_code == 200 and "Cluster 000" in page.content.decode()
