"""The programme's firm x year panel from the imported data, and its evaluation in the worker."""

import datetime
import math

import numpy as np
import pytest

from evidence import computation, evaluations, panel
from evidence.models import (
    Evaluation,
    PastParticipant,
)
from mentoring.models import Pairing
from mentoring.services import offers, pairings
from network import services as network
from tests.evidence.conftest import firms_file, imported
from tests.evidence.data import customs, evaluated_world, new_batch, new_programme, registry
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db


def test_panel_has_every_registry_firm_every_year_with_zeros(officer, agency):
    ids = registry(agency, officer, 3)
    customs(
        agency,
        officer,
        [
            (ids[0], 2018, "090111", "US", "100"),
            (ids[0], 2019, "090111", "US", "50"),
            (ids[0], 2019, "090111", "DE", "50"),
            (ids[0], 2021, "080450", "US", "10"),
            (ids[0], 2022, "090111", "US", "10"),
            (ids[1], 2020, "090111", "US", "5"),
        ],
    )
    frame, coverage = panel.build(new_programme(officer))
    assert coverage["years"] == [2018, 2022] and coverage["firms"] == 3
    assert len(frame) == 15
    first = frame[frame.firm == 0].set_index("year")
    assert first.exported.tolist() == [1, 1, 0, 1, 1]
    assert first.products.tolist() == [1, 1, 0, 1, 1]
    assert first.destinations.tolist() == [1, 2, 0, 1, 1]
    assert first.pairs.tolist() == [1, 2, 0, 1, 1]
    assert math.isclose(first.loc[2018, "ihs_fob"], np.arcsinh(100))
    # New pairs need three years of history: 2021's pair is new, 2022's US coffee is not.
    assert np.isnan(first.loc[2020, "new_pair"])
    assert first.loc[[2021, 2022], "new_pair"].tolist() == [1, 0]
    # Survival is defined only after a year of exports.
    assert first.loc[2019, "survival"] == 1 and first.loc[2020, "survival"] == 0
    assert np.isnan(first.loc[2021, "survival"])
    assert frame[frame.firm == 2].exported.sum() == 0


def test_support_starts_at_the_first_pairing_or_the_imported_start_whichever_is_earlier(
    officer, agency
):
    ids = registry(agency, officer, 3)
    customs(
        agency, officer, [(tax_id, y, "090111", "US", "1") for tax_id in ids for y in (2015, 2025)]
    )
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator, sponsor=agency)
    mentor = add_member(cluster, UserFactory(), role="mentor")
    offer = offers.save_offer(
        user=mentor,
        cluster=cluster,
        capacity=5,
        products=["0901"],
        markets=["US"],
        languages=["es"],
        accepts_competitors=True,
    )
    for n in (0, 1):
        follower = add_member(cluster, UserFactory())
        network.save_organization(
            profile=follower.profile,
            name=f"Firma {n}",
            kind="firm",
            country="PE",
            tax_id_scheme="RUC",
            tax_id=ids[n],
        )
        pairing = pairings.accept_pairing(
            pairing=pairings.request_mentor(follower=follower, offer=offer), by=mentor
        )
        Pairing.objects.filter(pk=pairing.pk).update(
            started_at=datetime.datetime(2022, 3, 1, tzinfo=datetime.UTC)
        )
    PastParticipant.objects.create(
        agency=agency,
        batch=new_batch(agency, officer, "participants"),
        scheme="RUC",
        tax_id=ids[1],
        start_year=2019,
    )
    frame, _coverage = panel.build(new_programme(officer, [cluster]))
    starts = frame.drop_duplicates("firm").set_index("firm").first_treat.to_dict()
    assert starts == {0: 2022, 1: 2019, 2: 0}


def test_estimates_are_computed_once_per_version_of_the_data(
    officer, agency, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(computation, "BOOTSTRAP_DRAWS", 49)
    programme = evaluated_world(agency, officer)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        evaluation = evaluations.request_evaluation(programme=programme, by=officer)
    assert len(queued) == 1
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DONE, evaluation.problem
    exported = evaluation.results["exported"]
    assert exported["n_treated"] == 20 and exported["n_comparison"] == 40
    assert (
        exported["overall"]["ci_low"]
        < exported["overall"]["estimate"]
        < exported["overall"]["ci_high"]
    )
    assert [e["label"] for e in exported["event_study"]] == [-3, -2, 0, 1, 2, 3]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = evaluations.request_evaluation(programme=programme, by=officer)
    assert again.pk == evaluation.pk and queued == []
    imported(officer, "firms", firms_file())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        fresh = evaluations.request_evaluation(programme=programme, by=officer)
    assert fresh.pk != evaluation.pk and len(queued) == 1


def test_only_the_programmes_officers_can_ask_for_an_estimate(officer, other_officer):
    from core.errors import NotAllowed

    programme = new_programme(officer)
    with pytest.raises(NotAllowed):
        evaluations.request_evaluation(programme=programme, by=other_officer)
    assert not Evaluation.objects.exists()
