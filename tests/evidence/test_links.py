"""Organizations taking a tax id leave a trail the agencies read."""

import pytest

from evidence.models import TaxIdLink
from network import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _save(person, **tax):
    return services.save_organization(
        profile=person.profile,
        organization=person.profile.organization,
        name="Café Andino",
        kind="firm",
        country="PE",
        **tax,
    )


def test_every_change_of_tax_id_leaves_a_trail():
    person = UserFactory()
    _save(person, tax_id_scheme="RUC", tax_id="20100047218")
    person.profile.refresh_from_db()
    _save(person, tax_id_scheme="RUC", tax_id="20131312955")
    person.profile.refresh_from_db()
    _save(person, tax_id_scheme="", tax_id="")
    trail = list(TaxIdLink.objects.order_by("id").values_list("tax_id", "previous", "by"))
    assert trail == [
        ("20100047218", "", person.pk),
        ("20131312955", "RUC 20100047218", person.pk),
        ("", "RUC 20131312955", person.pk),
    ]
