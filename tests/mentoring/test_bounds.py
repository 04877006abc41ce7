"""Pages that could grow without end are bounded, and say so when the bound cuts the list."""

import datetime
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring import outcomes
from mentoring.models import ExportRecord, Pairing, Session
from mentoring.selectors import cohorts as cohort_selectors
from mentoring.selectors import outcomes as outcome_selectors
from mentoring.selectors.sessions import calendar_sessions
from mentoring.services import cohorts, offers, pairings, sessions
from mentoring.views import outcomes as outcome_views
from network.models import Membership
from tests.factories import add_member
from tests.mentoring.conftest import cohort_form, offer, person

THIS_YEAR = timezone.now().year


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cohort_url(net) -> str:
    return f"/clusters/{net.cluster.slug}/mentoring/cohort/"


def late_follower(net, name: str):
    follower = add_member(net.cluster, person(name))
    # Joined after everyone else, whatever the clock's resolution.
    Membership.objects.filter(user=follower, cluster=net.cluster).update(
        created_at=timezone.now() + timedelta(minutes=5)
    )
    offers.save_needs(user=follower, products=["0901"], markets=["US"])
    return follower


def test_the_cohort_weighs_at_most_200_followers_and_200_mentors():
    assert cohort_selectors.COHORT_FOLLOWERS == 200 and cohort_selectors.COHORT_MENTORS == 200


def test_the_cohort_draft_takes_the_followers_who_joined_first_and_says_more_wait(
    net, monkeypatch
):
    monkeypatch.setattr(cohort_selectors, "COHORT_FOLLOWERS", 2)
    late = late_follower(net, "Aaron Late")  # first by name, last to join
    draft = cohort_selectors.draft_cohort(net.cluster)
    assert [user.pk for user in draft.followers] == [net.felipe.pk, net.gabi.pk]
    assert draft.more_followers and not draft.more_mentors
    page = client_for(net.coordinator).get(cohort_url(net)).content.decode()
    assert 'id="cohort-more-followers"' in page and "the 2 who joined the cluster first" in page
    assert "Aaron Late" not in page

    # Once the first ones are proposed, the next draft reaches the follower who waited.
    cohorts.publish_cohort(
        cluster=net.cluster,
        by=net.coordinator,
        choices={p.follower.pk: p.offer.pk for p in draft.pairs if p.offer},
    )
    draft = cohort_selectors.draft_cohort(net.cluster)
    assert [user.pk for user in draft.followers] == [late.pk] and not draft.more_followers
    page = client_for(net.coordinator).get(cohort_url(net)).content.decode()
    assert "Aaron Late" in page and 'id="cohort-more-followers"' not in page


def test_no_note_when_the_whole_cohort_fits(net):
    page = client_for(net.coordinator).get(cohort_url(net)).content.decode()
    assert "Felipe Follower" in page
    assert 'id="cohort-more-followers"' not in page and 'id="cohort-more-mentors"' not in page


def test_the_cohort_draft_takes_the_mentors_with_most_room_and_says_so(net, monkeypatch):
    monkeypatch.setattr(cohort_selectors, "COHORT_MENTORS", 1)
    offer(net.bruno, net.cluster, capacity=5, products=["1801"], markets=["US"])
    draft = cohort_selectors.draft_cohort(net.cluster)
    assert [o.user for o in draft.offers] == [net.bruno] and draft.more_mentors
    page = client_for(net.coordinator).get(cohort_url(net)).content.decode()
    assert 'id="cohort-more-mentors"' in page
    # The recalculated draft is bounded the same way, and still publishes.
    choices = cohort_form({net.gabi.pk: net.bruno_offer.pk}, publish="1")
    response = client_for(net.coordinator).post(cohort_url(net), choices)
    assert response.status_code == 302
    assert Pairing.objects.get().mentor == net.bruno


def test_the_cohort_page_costs_the_same_queries_with_more_followers(net):
    client = client_for(net.coordinator)
    client.get(cohort_url(net))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(cohort_url(net)).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        follower = add_member(net.cluster, person(f"Más {n}"))
        offers.save_needs(user=follower, products=["1801"], markets=["US"], topics=["pricing"])
    assert queries() == few


# --- Outcomes ------------------------------------------------------------------------


def mentored_firms(net, count: int) -> list:
    """`count` extra followers' firms, each mentored by Bruno and with one export."""
    offer(net.bruno, net.cluster, capacity=20, products=["1801"], markets=["US"])
    firms = []
    for n in range(count):
        follower = add_member(net.cluster, person(f"Seguidor {n}", firm=f"Firma {n:02d}"))
        pairings.accept_pairing(
            pairing=pairings.request_mentor(follower=follower, offer=net.bruno_offer),
            by=net.bruno,
        )
        organization = follower.profile.organization
        ExportRecord.objects.create(
            organization=organization,
            year=THIS_YEAR,
            hs_code="1801",
            country="US",
            value_band="lt10k",
        )
        firms.append(organization)
    return firms


def outcomes_url(net) -> str:
    return f"/clusters/{net.cluster.slug}/outcomes/"


def test_the_outcomes_table_pages_by_name_while_the_totals_cover_every_firm(net, monkeypatch):
    monkeypatch.setattr(outcome_views, "FIRMS_PER_PAGE", 2)
    firms = mentored_firms(net, 3)
    client = client_for(net.coordinator)
    response = client.get(outcomes_url(net))
    page = response.content.decode()
    assert [firm.name for firm in response.context["page"].items] == ["Firma 00", "Firma 01"]
    assert response.context["total"].firms == 3 and response.context["total"].entered == 3
    assert 'id="outcomes-paged"' in page and "cover all 3 firms" in page
    assert "Firma 02" not in page and "Next page" in page
    cursor = response.context["page"].next_cursor
    second = client.get(outcomes_url(net), {"after": cursor})
    assert [firm.name for firm in second.context["page"].items] == [firms[2].name]
    assert second.context["total"].firms == 3 and second.context["page"].next_cursor is None
    assert "First page" in second.content.decode()


def test_a_cohort_that_fits_one_page_shows_no_paging_note(net):
    mentored_firms(net, 2)
    page = client_for(net.coordinator).get(outcomes_url(net)).content.decode()
    assert "Firma 00" in page and "Firma 01" in page
    assert 'id="outcomes-paged"' not in page and "Next page" not in page


def test_streamed_totals_equal_the_totals_of_the_loaded_firms(net):
    firms = mentored_firms(net, 3)
    # Firm 1 back-fills older exports: an earlier entry, survival and more pairs.
    ExportRecord.objects.create(
        organization=firms[1], year=THIS_YEAR - 1, hs_code="0901", country="DE", value_band="lt10k"
    )
    ExportRecord.objects.create(
        organization=firms[1], year=THIS_YEAR - 3, hs_code="1801", country="CA", value_band="lt10k"
    )
    queryset = outcome_selectors.mentored_firms(net.cluster)
    loaded = outcome_selectors.firm_outcomes(list(queryset), as_of=THIS_YEAR)
    assert outcome_selectors.cohort_of(queryset, as_of=THIS_YEAR) == outcomes.cohort(
        loaded.values()
    )


def test_firms_without_records_still_count_in_the_streamed_totals(net):
    pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    total = outcome_selectors.cohort_of(
        outcome_selectors.mentored_firms(net.cluster), as_of=THIS_YEAR
    )
    assert (total.firms, total.entered, total.pairs) == (1, 0, 0)


def test_the_outcomes_page_costs_the_same_queries_with_more_firms(net):
    mentored_firms(net, 2)
    client = client_for(net.coordinator)
    client.get(outcomes_url(net))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(outcomes_url(net)).status_code == 200
        return len(captured)

    few = queries()
    mentored_firms(net, 4)
    assert queries() == few


def test_a_firm_sees_its_latest_records_and_a_note_when_there_are_more(net, monkeypatch):
    monkeypatch.setattr(outcome_views, "RECORDS_SHOWN", 2)
    organization = net.felipe.profile.organization
    for year in (THIS_YEAR - 2, THIS_YEAR - 1, THIS_YEAR):
        ExportRecord.objects.create(
            organization=organization, year=year, hs_code="0901", country="DE", value_band="lt10k"
        )
    response = client_for(net.felipe).get("/me/exports/")
    assert [r.year for r in response.context["records"]] == [THIS_YEAR, THIS_YEAR - 1]
    page = response.content.decode()
    assert 'id="records-cut"' in page and "Only the latest 2 records" in page
    # The outcomes still count the record left out of the table.
    assert response.context["outcome"].entry_year == THIS_YEAR - 2


# --- Calendar feed -------------------------------------------------------------------


def test_the_calendar_feed_is_bounded_in_time_and_in_count(net, pairing):
    made = [
        sessions.schedule_session(
            by=net.ana,
            pairing=pairing,
            title=f"S{n}",
            local_start=datetime.datetime(THIS_YEAR + 1, 6, 1 + n, 10, 0),
            time_zone="UTC",
            duration_minutes=60,
        )
        for n in range(4)
    ]
    Session.objects.filter(pk=made[0].pk).update(starts_at=timezone.now() - timedelta(days=91))
    feed = calendar_sessions(net.felipe, limit=2)
    assert [s.title for s in feed] == ["S1", "S2"]
    assert [s.title for s in calendar_sessions(net.felipe)] == ["S1", "S2", "S3"]
