"""Pages as a person meets them: landing, languages, time zones, profile, admin, headers."""

import zoneinfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from network.models import Cluster, Membership, User
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db


def test_landing_shows_public_clusters_and_sign_up(client):
    make_cluster(name="Open Coffee Circle")
    make_cluster(name="Hidden Cacao Circle", visibility="private")
    page = client.get(reverse("home")).content.decode()
    assert "Open Coffee Circle" in page and "Hidden Cacao Circle" not in page
    assert reverse("account_signup") in page


def test_home_empty_state_points_to_next_step(client):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "You are not in any cluster yet." in page
    assert reverse("cluster_list") in page


def test_browser_language_is_used_by_default(client):
    es = client.get(reverse("cluster_list"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    pt = client.get(reverse("cluster_list"), HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert '<html lang="es">' in es and "Clústeres" in es
    assert '<html lang="pt-br">' in pt and "Clusters" in pt and "Membros" in pt


def test_language_switcher_changes_the_language(client):
    client.post(reverse("set_language"), {"language": "pt-br", "next": "/"})
    assert '<html lang="pt-br">' in client.get(reverse("home")).content.decode()


def test_times_shown_in_member_time_zone(client):
    coordinator = UserFactory()
    coordinator.profile.time_zone = "America/Bogota"
    coordinator.profile.save()
    cluster = make_cluster(coordinator=coordinator)
    event = cluster.events.get()
    client.force_login(coordinator)
    page = client.get(reverse("cluster_manage", args=[cluster.slug])).content.decode()
    bogota = event.created_at.astimezone(zoneinfo.ZoneInfo("America/Bogota"))
    assert bogota.isoformat(timespec="seconds")[:16] in page


def test_profile_edit_saves_and_shows(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "Rosa Huamán",
            "languages": ["es", "en"],
            "time_zone": "America/Lima",
            "preferred_language": "es",
            "bio": "Mango exporter since 2005.",
            "expertise": "Cold chain, GlobalG.A.P.",
        },
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "America/Lima"
    assert sorted(user.profile.expertise.names()) == ["cold chain", "globalg.a.p."]
    assert "Rosa Huamán" in client.get(user.profile.get_absolute_url()).content.decode()


def test_profile_edit_rejects_unknown_time_zone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("profile_edit"), {"display_name": "X", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "UTC"


def test_organization_form_explains_unknown_hs_codes(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organization_edit"),
        {"name": "Mangos SAC", "kind": "firm", "country": "PE", "exported_codes": "0804, 0199"},
    )
    assert response.status_code == 200
    assert "Unknown HS codes: 0199" in response.content.decode()
    user.profile.refresh_from_db()
    assert user.profile.organization is None


def test_organization_form_saves(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organization_edit"),
        {
            "name": "Mangos SAC",
            "kind": "firm",
            "country": "PE",
            "exported_codes": "0804",
            "markets": ["NL", "US"],
            "first_export_year": "2005",
        },
    )
    assert response.status_code == 302
    page = client.get(user.profile.get_absolute_url()).content.decode()
    assert "Mangos SAC" in page and "0804" in page and "Netherlands" in page


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("home")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_every_model_is_in_the_admin_and_its_pages_open_for_staff(client):
    staff = User.objects.create_superuser(email="staff@example.org", password="x-staff-password")
    client.force_login(staff)
    make_cluster()
    for app in ("network",):
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model
            url = reverse(f"admin:{app}_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 200, url


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (User.objects.count(), Cluster.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert counts == (User.objects.count(), Cluster.objects.count(), Membership.objects.count())
    assert counts[1] >= 5
    assert Cluster.objects.filter(visibility="private").exists()
    for cluster in Cluster.objects.all():
        active = cluster.memberships.filter(status="active").count()
        assert cluster.active_member_count == active


def test_invite_page_is_reached_from_cluster_for_coordinator(client):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    add_member(cluster)
    client.force_login(coordinator)
    page = client.get(cluster.get_absolute_url()).content.decode()
    assert reverse("cluster_manage", args=[cluster.slug]) in page


def test_hs_names_follow_the_reader_language(client):
    from django.utils import translation

    from core import hs

    with translation.override("es"):
        assert hs.name("09") == "Café, té, yerba mate y especias"
    with translation.override("pt-br"):
        assert hs.name("09").startswith("Café, chá")
    with translation.override("en"):
        assert hs.name("0901").startswith("Coffee")
    # No English on a Spanish page: a heading is named by its chapter, its code beside it.
    with translation.override("es"):
        assert hs.name("0901") == "Café, té, yerba mate y especias"
        assert hs.label("0901") == "0901 · Café, té, yerba mate y especias"
