"""Where the agency's customs data covers a linked firm's year, outcomes count the customs
records; self-reports count elsewhere; the differences are listed for the agency's officers."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evidence import naive, verified
from evidence.models import ImportBatch, RegistryFirm
from incentives.models import ApiToken
from mentoring.models import ExportRecord
from mentoring.outcomes import Export
from mentoring.services import offers, pairings
from network.models import Organization
from tests.evidence.data import customs, new_batch, registry, ruc_of
from tests.factories import OfficerFactory, OrganizationFactory, UserFactory, add_member
from tests.incentives.conftest import build
from tests.incentives.test_pages import client_for

Y = timezone.localdate().year
COVERED = (Y - 3, Y - 1)  # the customs file spans these years and those between


def link(organization, tax_id: str) -> None:
    Organization.objects.filter(pk=organization.pk).update(tax_id_scheme="RUC", tax_id=tax_id)


def reported(organization, year: int, hs: str = "0901", country: str = "US") -> None:
    ExportRecord.objects.create(
        organization=organization, year=year, hs_code=hs, country=country, value_band="lt10k"
    )


def arranged():
    """The mentored follower's firm (Andina) and the other follower's firm (Sur) are in the
    agency's registry; a third registry firm's exports make the customs file span COVERED."""
    setting = build()
    offer = offers.save_offer(
        user=setting.mentor, cluster=setting.cluster, capacity=2, accepts_competitors=True
    )
    request = pairings.request_mentor(follower=setting.follower, offer=offer)
    pairings.accept_pairing(pairing=request, by=setting.mentor)
    setting.ids = registry(setting.agency, setting.officer, 3)
    setting.mentored = setting.follower.profile.organization
    setting.other = setting.other_follower.profile.organization
    Organization.objects.filter(pk=setting.mentored.pk).update(name="Andina")
    Organization.objects.filter(pk=setting.other.pk).update(name="Sur")
    link(setting.mentored, setting.ids[0])
    link(setting.other, setting.ids[1])
    setting.customs_rows = [
        (setting.ids[2], COVERED[0], "090111", "US", "10"),
        (setting.ids[2], COVERED[1], "090111", "US", "10"),
    ]
    return setting


@pytest.fixture
def world(db):
    return arranged()


def with_customs(world, *rows):
    return customs(world.agency, world.officer, [*world.customs_rows, *rows])


def groups(world):
    mentored, others = naive.compare([world.cluster.pk], agency_id=world.agency.pk)
    return mentored, others


def test_a_linked_firm_that_reported_exports_customs_does_not_show_is_not_exporting(world):
    reported(world.mentored, Y - 2)
    assert groups(world)[0].outcome.entered == 1  # before customs: the self-report counts
    with_customs(world)
    mentored, _others = groups(world)
    assert (mentored.outcome.firms, mentored.outcome.entered) == (1, 0)
    assert mentored.from_customs == 3 and mentored.self_reported == 0


def test_a_linked_firm_that_customs_shows_exporting_exports_though_it_reported_nothing(world):
    with_customs(world, (world.ids[1], Y - 2, "090111", "DE", "500"))
    _mentored, others = groups(world)
    assert (others.outcome.firms, others.outcome.entered, others.outcome.pairs) == (1, 1, 1)
    assert others.outcome.survival[1] == (0, 1)  # nothing in customs the year after


def test_years_outside_the_coverage_keep_what_the_firm_reported(world):
    reported(world.mentored, Y - 6)  # before the customs data
    reported(world.mentored, Y)  # after it
    reported(world.mentored, Y - 2)  # covered: customs has nothing
    with_customs(world)
    mentored, _others = groups(world)
    assert mentored.outcome.entered == 1 and mentored.outcome.pairs == 1
    assert mentored.outcome.survival[1] == (0, 1)  # Y - 5 is not covered: nothing reported
    assert (mentored.from_customs, mentored.self_reported) == (3, 2)


def test_unlinked_firms_keep_what_they_reported(world):
    Organization.objects.filter(pk=world.mentored.pk).update(tax_id_scheme="", tax_id="")
    reported(world.mentored, Y - 2)
    with_customs(world, (world.ids[0], Y - 1, "090111", "US", "5"))
    mentored, _others = groups(world)
    assert mentored.outcome.entered == 1 and mentored.outcome.survival[1] == (0, 1)
    assert (mentored.from_customs, mentored.self_reported) == (0, 1)


def test_a_rolled_back_customs_file_covers_nothing(world):
    reported(world.mentored, Y - 2)
    batch = with_customs(world)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.ROLLED_BACK)
    assert groups(world)[0].outcome.entered == 1


def test_merge_takes_customs_for_covered_years_of_linked_firms_only():
    kept = Export(2019, "0901", "US")
    exports, from_customs, self_reported = verified.merge(
        {1: [kept, Export(2021, "0901", "US")], 2: [Export(2021, "0803", "CL")]},
        {1: [Export(2020, "6109", "CL")]},
        frozenset({2020, 2021}),
        as_of=2026,
    )
    assert exports == {1: [kept, Export(2020, "6109", "CL")], 2: [Export(2021, "0803", "CL")]}
    assert from_customs == {(1, 2020), (1, 2021)}
    assert self_reported == {(1, 2019), (2, 2021)}


def differences_url(world, csv_file: bool = False) -> str:
    end = "differences.csv" if csv_file else "differences/"
    return f"/agency/programmes/{world.programme.pk}/impact/{end}"


def test_the_differences_list_shows_exactly_the_disagreeing_firm_years(world):
    reported(world.mentored, Y - 3)  # matches customs
    reported(world.mentored, Y - 2)  # customs: nothing
    reported(world.mentored, Y - 1, country="DE")  # customs: to US
    reported(world.mentored, Y - 6)  # not covered: not compared
    reported(world.other, Y - 2, hs="0803")  # customs: 0901 to the same market
    with_customs(
        world,
        (world.ids[0], Y - 3, "090111", "US", "5"),
        (world.ids[0], Y - 1, "090111", "US", "5"),
        (world.ids[0], Y - 1, "090112", "US", "5"),  # the same HS4: one product
        (world.ids[1], Y - 2, "090111", "US", "5"),
    )
    response = client_for(world.officer).get(differences_url(world))
    found = response.context["found"]
    assert [(row.organization.name, row.year, row.what()) for row in found.rows] == [
        ("Andina", Y - 2, "Exported or not"),
        ("Andina", Y - 1, "Destinations"),
        ("Sur", Y - 2, "Products"),
    ]
    page = response.content.decode()
    assert "3 firm-years differ" in page and "Among the 2 linked firms" in page
    assert "0901 to US" in page and "No exports" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client_for(world.officer).get(differences_url(world, True)).content.decode()
            )
        )
    )
    assert rows[1] == [
        "Andina",
        f"RUC {world.ids[0]}",
        str(Y - 2),
        "0901",
        "US",
        "",
        "",
        "Exported or not",
    ]
    assert len(rows) == 4


def test_the_differences_say_so_when_there_is_nothing_to_list(world):
    officer = client_for(world.officer)
    assert (
        "No customs data is imported yet" in officer.get(differences_url(world)).content.decode()
    )
    with_customs(world)
    page = officer.get(differences_url(world)).content.decode()
    assert "No linked firm reported exports in covered years" in page
    reported(world.mentored, Y - 3)
    with_customs(world, (world.ids[0], Y - 3, "090111", "US", "5"))
    page = officer.get(differences_url(world)).content.decode()
    assert "No differences: what the linked firm reported" in page


def test_only_the_programmes_officers_see_the_differences(world):
    reported(world.mentored, Y - 2)
    with_customs(world)
    other_officer = OfficerFactory(organization__name="ProChile")
    for person in (other_officer, world.coordinator, world.follower):
        client = client_for(person)
        assert client.get(differences_url(world)).status_code == 404
        assert client.get(differences_url(world, True)).status_code == 404
    assert Client().get(differences_url(world)).status_code == 302
    assert client_for(world.officer).get(differences_url(world)).status_code == 200


def test_the_programme_page_says_which_records_the_comparison_counted(world, refetched):
    reported(world.mentored, Y - 2)
    reported(world.mentored, Y)
    with_customs(world)
    page = client_for(world.officer).get(f"/agency/programmes/{world.programme.pk}/")
    text = page.content.decode()
    # Both firms are linked: 3 covered years each from customs; Y from the firm's report.
    assert "Exports counted: 6 firm-years from customs, 1 firm-year self-reported." in text
    assert differences_url(world) in text
    assert refetched == []  # the firms are read with what links them to customs


def test_the_api_figures_follow_customs_and_stay_numbers(world):
    reported(world.mentored, Y - 2)
    _token, key = ApiToken.issue(user=world.officer, name="BI")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/agency/programmes/{world.programme.pk}/outcomes"
    before = client.get(url).json()[0]
    assert (before["entered"], before["entered_rate"]) == (1, 1.0)
    assert (before["customs_firm_years"], before["self_reported_firm_years"]) == (0, 1)
    with_customs(world, (world.ids[1], Y - 1, "090111", "DE", "500"))
    mentored, others = client.get(url).json()
    assert (mentored["entered"], mentored["entered_rate"]) == (0, 0.0)
    assert (mentored["customs_firm_years"], mentored["self_reported_firm_years"]) == (3, 0)
    assert (others["entered"], others["entered_rate"], others["product_market_pairs"]) == (
        1,
        1.0,
        1,
    )
    assert isinstance(others["customs_firm_years"], int)


def more_linked_firms(world, start: int, count: int) -> None:
    ids = [ruc_of(n) for n in range(start, start + count)]
    batch = new_batch(world.agency, world.officer, "firms")
    RegistryFirm.objects.bulk_create(
        RegistryFirm(
            agency=world.agency, batch=batch, scheme="RUC", tax_id=t, name=t, is_current=True
        )
        for t in ids
    )
    for tax_id in ids:
        firm = OrganizationFactory(tax_id_scheme="RUC", tax_id=tax_id)
        add_member(world.cluster, UserFactory(organization=firm))
        reported(firm, Y - 2)
    with_customs(world, *((tax_id, Y - 1, "090111", "US", "1") for tax_id in ids))


def test_the_pages_and_the_api_cost_the_same_queries_with_more_linked_firms(world):
    _token, key = ApiToken.issue(user=world.officer, name="BI")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    officer = client_for(world.officer)
    urls = [
        (officer, f"/agency/programmes/{world.programme.pk}/"),
        (officer, differences_url(world)),
        (api, f"/api/agency/programmes/{world.programme.pk}/outcomes"),
    ]
    more_linked_firms(world, 3, 1)

    def queries() -> list[int]:
        counts = []
        for client, url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    few = queries()
    more_linked_firms(world, 10, 4)
    assert queries() == few
