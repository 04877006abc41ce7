"""A follower finds guides for their markets beside mentor suggestions and on their goals."""

import datetime

import pytest
from django.test import Client

from guides import services as guides
from mentoring.services import goals, pairings
from tests.mentoring.conftest import build_network

pytestmark = pytest.mark.django_db


def _guide(net, *, title, markets, products):
    guide = guides.create_guide(
        cluster_id=net.cluster.pk,
        by=net.ana,
        title=title,
        summary="What a first shipment needs.",
        body="Register in REX before the first container.",
        language="es",
        products=products,
        markets=markets,
        topics=["origin"],
    )
    guides.submit_for_review(guide=guide, by=net.ana)
    guides.publish(guide=guide, by=net.coordinator)
    return guide


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_suggestions_page_lists_guides_for_the_followers_markets_only():
    net = build_network()
    _guide(net, title="Café a Alemania", markets=["DE"], products=["0901"])
    _guide(net, title="Cacao a Japón", markets=["JP"], products=["1801"])

    page = _page(net.felipe, "/mentoring/")  # needs: coffee (0901) to Germany
    assert "Café a Alemania" in page and "Cacao a Japón" not in page


def test_a_guide_for_a_market_the_follower_aims_for_is_listed_whatever_its_product():
    """Needs hold their markets in django-countries' own list-like, whose str() is the
    countries' names: each market is matched by its code, and by the blocs it belongs to."""
    net = build_network()  # Felipe needs coffee (0901) to Germany
    _guide(net, title="Alemania: etiquetado", markets=["DE"], products=["1801"])
    _guide(net, title="Unión Europea: aranceles", markets=["EU27"], products=["1801"])
    _guide(net, title="Japón: etiquetado", markets=["JP"], products=["1801"])

    page = _page(net.felipe, "/mentoring/")
    assert "Alemania: etiquetado" in page and "Unión Europea: aranceles" in page
    assert "Japón: etiquetado" not in page


def test_a_goal_for_a_new_market_lists_the_guides_for_that_market():
    net = build_network()
    _guide(net, title="Café a Alemania", markets=["DE"], products=["0901"])
    _guide(net, title="Café a Japón", markets=["JP"], products=["0901"])
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    goals.add_goal(
        pairing=pairing,
        by=net.felipe,
        outcome="diversification",
        title="Sell in Japan",
        year=datetime.date.today().year,
        market="JP",
    )

    page = _page(net.felipe, pairing.get_absolute_url())
    assert "Café a Japón" in page and "Café a Alemania" not in page
