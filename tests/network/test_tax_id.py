"""A firm's tax id on its organization: normalised, check digits verified, one per firm."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from network.services import organizations
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _save(person, **tax):
    return organizations.save_organization(
        profile=person.profile,
        organization=person.profile.organization,
        name="Café Andino",
        kind="firm",
        country="PE",
        **tax,
    )


def test_tax_id_is_stored_compact_with_its_scheme():
    organization = _save(UserFactory(), tax_id_scheme="nit", tax_id="890.903.938-8")
    assert (organization.tax_id_scheme, organization.tax_id) == ("NIT", "8909039388")


def test_a_bad_check_digit_is_refused_and_nothing_saved():
    person = UserFactory()
    with pytest.raises(DomainError, match="check digit"):
        _save(person, tax_id_scheme="RUC", tax_id="20100047219")
    person.profile.refresh_from_db()
    assert person.profile.organization is None


def test_two_organizations_cannot_hold_the_same_tax_id():
    _save(UserFactory(), tax_id_scheme="RUC", tax_id="20100047218")
    with pytest.raises(DomainError, match="Another organization"):
        _save(UserFactory(), tax_id_scheme="RUC", tax_id="20100047218")


def test_saving_without_a_tax_id_keeps_the_one_on_record():
    person = UserFactory()
    _save(person, tax_id_scheme="RUC", tax_id="20100047218")
    person.profile.refresh_from_db()
    organization = _save(person)
    assert organization.tax_id == "20100047218"


def test_the_organization_form_says_what_is_wrong_with_the_tax_id(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(
        reverse("organization_edit"),
        {
            "name": "Café Andino",
            "kind": "firm",
            "country": "PE",
            "tax_id_scheme": "RUC",
            "tax_id": "20100047219",
        },
    )
    assert response.status_code == 200
    assert "The check digit does not match the number." in response.content.decode()
