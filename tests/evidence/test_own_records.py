"""A firm's own people see the customs records of it, once the agency confirmed the link."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import NotAllowed
from evidence import links
from evidence.models import ConfirmedLink
from evidence.own_records import Trade, differences
from mentoring.models import ExportRecord
from network import services
from tests.evidence.conftest import RUC, csv_bytes, customs_file, firms_file, imported
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db

SECRET = "0901119000"  # the tariff line of the firm's records, listed only on its page


def _firm(name="Café Andino", tax_id=RUC[0]):
    person = UserFactory(name=f"Persona {name}")
    _set_tax_id(person, tax_id, name=name)
    return person


def _set_tax_id(person, tax_id, name="Café Andino"):
    person.profile.refresh_from_db()
    services.save_organization(
        profile=person.profile,
        organization=person.profile.organization,
        name=name,
        kind="firm",
        country="PE",
        tax_id_scheme="RUC",
        tax_id=tax_id,
    )
    person.profile.refresh_from_db()
    return person.profile.organization


@pytest.fixture
def registry(officer):
    imported(officer, "firms", firms_file())
    return imported(officer, "customs", customs_file(), name="customs.csv")


def _page(client, person, organization=None):
    organization = organization or person.profile.organization
    client.force_login(person)
    return client.get(reverse("evidence:own_records", args=[organization.pk]))


def _confirm(client, officer, organization):
    client.force_login(officer)
    return client.post(reverse("evidence:confirm_link", args=[organization.pk]))


def test_a_typed_tax_id_shows_no_records_until_the_agency_confirms(client, registry, officer):
    firm = _firm()
    page = _page(client, firm)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Awaiting an agency" in body and SECRET not in body and "PromPerú" not in body
    # Not even the agency's officers read the page of a firm they have not confirmed.
    assert _page(client, officer, firm.profile.organization).status_code == 404

    response = _confirm(client, officer, firm.profile.organization)
    assert response.status_code == 302
    body = _page(client, firm).content.decode()
    assert SECRET in body and "Held by PromPerú" in body


def test_a_competitor_sees_only_what_was_confirmed_for_its_own_organization(
    client, registry, officer
):
    real = _firm("Café Andino")
    _confirm(client, officer, real.profile.organization)
    competitor = _firm("Imitadores SAC", tax_id=RUC[1])
    # The real firm's page is not the competitor's to read.
    assert _page(client, competitor, real.profile.organization).status_code == 404
    # The real firm moves to another id; the competitor takes its old one.
    _set_tax_id(real, RUC[2])
    stolen = _set_tax_id(competitor, RUC[0], name="Imitadores SAC")
    body = _page(client, competitor).content.decode()
    assert "Awaiting an agency" in body and SECRET not in body
    assert not links.standing(stolen).exists()


def test_changing_the_tax_id_ends_the_confirmation_for_good(client, registry, officer):
    firm = _firm()
    organization = firm.profile.organization
    _confirm(client, officer, organization)
    _set_tax_id(firm, RUC[1])
    body = _page(client, firm).content.decode()
    assert "Awaiting an agency" in body and "6109100031" not in body and SECRET not in body
    _set_tax_id(firm, RUC[0])  # back to the confirmed id: still a new claim
    assert SECRET not in _page(client, firm).content.decode()
    ended = ConfirmedLink.objects.get()
    assert ended.ending == ConfirmedLink.Ending.TAX_ID_CHANGED and ended.ended_by == firm


def test_a_confirmation_holds_only_for_the_tax_id_it_was_given(client, registry, officer):
    firm = _firm()
    organization = firm.profile.organization
    _confirm(client, officer, organization)
    # Changed behind the service's back (the admin, a script): the read still refuses it.
    type(organization).objects.filter(pk=organization.pk).update(tax_id=RUC[1])
    assert SECRET not in _page(client, firm).content.decode()


def test_withdrawing_hides_the_records_again_and_stays_in_the_trail(client, registry, officer):
    firm = _firm()
    organization = firm.profile.organization
    _confirm(client, officer, organization)
    response = client.post(reverse("evidence:withdraw_link", args=[organization.pk]), follow=True)
    body = response.content.decode()
    assert "Confirmation of Café Andino withdrawn" in body
    assert "Withdrawn by" in body and "Withdrawn by the agency" in body
    assert SECRET not in _page(client, firm).content.decode()
    assert _page(client, officer, organization).status_code == 404


def test_withdrawing_what_is_not_confirmed_is_refused_with_a_message(client, registry, officer):
    organization = _firm().profile.organization
    client.force_login(officer)
    response = client.post(reverse("evidence:withdraw_link", args=[organization.pk]), follow=True)
    assert "nothing to withdraw" in response.content.decode()
    assert not ConfirmedLink.objects.exists()


def test_an_officer_of_another_agency_cannot_confirm(client, registry, other_officer):
    organization = _firm().profile.organization
    assert _confirm(client, other_officer, organization).status_code == 404
    with pytest.raises(NotAllowed):
        links.confirm_link(officer=other_officer, organization=organization)
    assert not ConfirmedLink.objects.exists()


def test_a_firms_own_people_cannot_confirm_themselves(client, registry):
    firm = _firm()
    assert _confirm(client, firm, firm.profile.organization).status_code == 404
    with pytest.raises(NotAllowed):
        links.confirm_link(officer=firm, organization=firm.profile.organization)
    assert not ConfirmedLink.objects.exists()


def test_confirming_twice_is_one_confirmation(client, registry, officer):
    organization = _firm().profile.organization
    _confirm(client, officer, organization)
    response = _confirm(client, officer, organization)
    assert response.status_code == 302
    assert ConfirmedLink.objects.count() == 1


def test_only_its_people_and_the_confirming_agency_read_the_page(
    client, registry, officer, other_officer
):
    firm = _firm()
    organization = firm.profile.organization
    _confirm(client, officer, organization)
    cluster = make_cluster()
    coordinator = cluster.memberships.get().user
    mentor = add_member(cluster, UserFactory(), role="mentor")
    add_member(cluster, firm)
    for person in (coordinator, mentor, other_officer, UserFactory()):
        assert _page(client, person, organization).status_code == 404
    officer_page = _page(client, officer, organization)
    body = officer_page.content.decode()
    assert officer_page.status_code == 200 and SECRET in body
    # The firm's own reports are its own: the agency reads its records only.
    assert "differ from what you reported" not in body
    client.logout()
    response = client.get(reverse("evidence:own_records", args=[organization.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_firm_page_shows_each_years_figures(client, officer):
    imported(officer, "firms", firms_file())
    imported(
        officer,
        "customs",
        customs_file(
            f"{RUC[0]},RUC,2023,0901210000,US,1000",
            f"{RUC[0]},RUC,2023-02,0803901100,DE,500",
        ),
    )
    firm = _firm()
    _confirm(client, officer, firm.profile.organization)
    page = _page(client, firm)
    (holder,) = page.context["holders"]
    figures = [(y.year, y.fob_usd, y.products, y.destinations, y.records) for y in holder.years]
    assert figures == [
        (2023, Decimal("9500.00"), 3, 2, 3),
        (2022, Decimal("12000.50"), 1, 1, 1),
    ]
    body = page.content.decode()
    assert "2023-02" in body and "Germany" in body and "0803901100" in body
    assert "9,500" in body
    older = client.get(page.request["PATH_INFO"] + "?year=2022")
    assert [r.tariff_code for r in older.context["holders"][0].records] == ["0901119000"]


def test_the_firm_page_lists_where_its_reports_differ(client, registry, officer):
    firm = _firm()
    organization = firm.profile.organization
    _confirm(client, officer, organization)
    for year, code, country in [(2023, "0901", "DE"), (2022, "0901", "US"), (2022, "61", "JP")]:
        ExportRecord.objects.create(
            organization=organization, year=year, hs_code=code, country=country, value_band="lt10k"
        )
    (holder,) = _page(client, firm).context["holders"]
    assert [
        (d.year, d.products_not_in_customs, d.countries_not_in_customs) for d in holder.differences
    ] == [(2022, ["61"], ["JP"])]
    body = _page(client, firm).content.decode()
    assert "Destinations you reported, not in the records:" in body and "Japan" in body


def test_differences_compare_headings_chapters_and_countries():
    customs = {
        2023: Trade(frozenset({"0901", "0803"}), frozenset({"US", "DE"})),
        2021: Trade(frozenset({"0901"}), frozenset({"US"})),
    }
    reported = {
        2023: Trade(frozenset({"08"}), frozenset({"DE", "CN"})),
        2022: Trade(frozenset({"0902"}), frozenset({"JP"})),
        2021: Trade(frozenset({"0901"}), frozenset({"US"})),
    }
    found = differences(customs, reported, [2021, 2022, 2023])
    assert [(d.year, d.in_customs, d.reported) for d in found] == [
        (2023, True, True),
        (2022, False, True),
    ]
    latest = found[0]
    assert latest.products_unreported == ["0901"] and latest.products_not_in_customs == []
    assert latest.countries_unreported == ["US"] and latest.countries_not_in_customs == ["CN"]


def test_empty_states_name_the_next_step(client, officer):
    imported(officer, "firms", firms_file())
    person = UserFactory()
    services.save_organization(profile=person.profile, name="Sin RUC", kind="firm", country="PE")
    person.profile.refresh_from_db()
    body = _page(client, person).content.decode()
    assert "has no tax id yet" in body and reverse("organization_edit") in body
    firm = _firm()
    _confirm(client, officer, firm.profile.organization)
    body = _page(client, firm).content.decode()
    assert "holds no customs records of it yet" in body


def test_the_organization_page_says_where_the_link_stands(client, registry, officer):
    firm = _firm()
    client.force_login(firm)
    body = client.get(reverse("organization_edit")).content.decode()
    assert "Waiting for an agency to confirm" in body
    _confirm(client, officer, firm.profile.organization)
    client.force_login(firm)
    body = client.get(reverse("organization_edit")).content.decode()
    assert "Confirmed by PromPerú" in body
    assert reverse("evidence:own_records", args=[firm.profile.organization.pk]) in body


def test_the_agency_page_shows_each_links_state(client, registry, officer):
    waiting = _firm("Café Andino").profile.organization
    confirmed = _firm("Textiles Inca", tax_id=RUC[1]).profile.organization
    _confirm(client, officer, confirmed)
    body = client.get(reverse("evidence:imports")).content.decode()
    assert "Awaiting your confirmation" in body
    assert f"Confirmed by {officer.profile.display_name}" in body
    assert reverse("evidence:confirm_link", args=[waiting.pk]) in body
    assert reverse("evidence:withdraw_link", args=[confirmed.pk]) in body


@pytest.mark.parametrize("records", [3, 60])
def test_the_firm_page_reads_a_bounded_number_of_queries(
    client, officer, records, django_assert_max_num_queries
):
    imported(officer, "firms", firms_file())
    rows = [f"{RUC[0]},RUC,{2010 + n % 12},0901{n:06d},US,{n + 1}" for n in range(records)]
    imported(
        officer,
        "customs",
        csv_bytes("tax_id,id_scheme,period,tariff_code,destination,fob_usd", *rows),
    )
    firm = _firm()
    _confirm(client, officer, firm.profile.organization)
    client.force_login(firm)
    url = reverse("evidence:own_records", args=[firm.profile.organization.pk])
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200


def test_a_long_year_lists_its_first_records_and_says_how_many_more(
    client, registry, officer, monkeypatch
):
    monkeypatch.setattr("evidence.own_records.RECORDS_SHOWN", 0)
    firm = _firm()
    _confirm(client, officer, firm.profile.organization)
    body = _page(client, firm).content.decode()
    assert "One more record of this year is counted" in body and SECRET not in body


@pytest.mark.parametrize("year", ["abc", "1999", "2022'", "99999"])
def test_a_year_the_records_do_not_hold_shows_the_latest(client, registry, officer, year):
    firm = _firm()
    _confirm(client, officer, firm.profile.organization)
    client.force_login(firm)
    url = reverse("evidence:own_records", args=[firm.profile.organization.pk])
    response = client.get(url, {"year": year})
    assert response.status_code == 200 and response.context["holders"][0].year == 2023
