"""seed_demo's invented registry: enough firms for a real Impact page, and said to be invented."""

import pytest

from evidence import demo
from evidence.models import CustomsRecord, ImportBatch, PastParticipant, RegistryFirm
from network.taxids import normalise

pytestmark = pytest.mark.django_db


def test_one_agency_gets_an_invented_registry_once(officer, agency, monkeypatch):
    monkeypatch.setattr(demo, "FIRMS", 200)
    demo.seed_registry(people={"valeria": officer})
    demo.seed_registry(people={"valeria": officer})
    assert RegistryFirm.objects.filter(agency=agency, is_current=True).count() == 200
    assert CustomsRecord.objects.filter(agency=agency).count() > 1000
    assert 0 < PastParticipant.objects.filter(agency=agency).count() < 200
    assert all(
        "invented" in name for name in ImportBatch.objects.values_list("file_name", flat=True)
    )
    firm = RegistryFirm.objects.first()
    assert "inventada" in firm.name
    assert normalise(scheme="NIT", value=firm.tax_id) == firm.tax_id
