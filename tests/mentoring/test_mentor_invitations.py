"""Followers whose firm exports one year and again the next are invited to mentor, once."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import NotAllowed
from mentoring.models import MentorInvitation, MentorOffer
from mentoring.services import exports, invitations, offers
from tests.concurrency import race
from tests.factories import add_member
from tests.mentoring.conftest import build_network, person

Y = timezone.now().year


def record(user, year, hs="0901", country="DE"):
    return exports.record_export(
        organization=user.profile.organization,
        by=user,
        year=year,
        hs_code=hs,
        country=country,
        value_band="lt10k",
    )


@pytest.mark.pure
def test_exporting_again_means_two_years_running():
    assert invitations.exports_again([2023, 2024])
    assert invitations.exports_again([2019, 2021, 2022])
    assert not invitations.exports_again([2021, 2023])
    assert not invitations.exports_again([2024])
    assert not invitations.exports_again([])


def test_recording_the_second_year_invites_the_firms_followers_once(net, commit):
    colleague = add_member(net.cluster, person("Flora Follower"))
    colleague.profile.organization = net.felipe.profile.organization
    colleague.profile.save()
    with commit():
        record(net.felipe, Y - 2)
    assert not MentorInvitation.objects.exists()  # a first export alone is not enough
    with commit():
        record(net.felipe, Y - 1, hs="2101", country="US")
    invited = MentorInvitation.objects.order_by("user_id")
    assert [i.user for i in invited] == [net.felipe, colleague]
    assert invited[0].products == ["2101", "0901"]  # most recent first
    assert invited[0].markets == ["US", "DE"]
    assert invited[0].cluster == net.cluster and invited[0].source == "recorded"
    assert len(mail.outbox) == 2
    assert reverse("mentoring:offer", args=[net.cluster.slug]) in mail.outbox[0].body
    # Exporting again does not invite again.
    with commit():
        record(net.felipe, Y, hs="0901", country="FR")
    assert MentorInvitation.objects.count() == 2 and len(mail.outbox) == 2


def test_mentors_and_people_of_other_firms_are_not_invited(net):
    record(net.ana, Y - 2)
    record(net.ana, Y - 1)  # Ana mentors: nobody of her firm follows
    assert not MentorInvitation.objects.exists()


def test_a_declined_invitation_never_comes_back(net):
    record(net.felipe, Y - 2)
    record(net.felipe, Y - 1)
    invitation = MentorInvitation.objects.get(user=net.felipe)
    invitations.decline_invitation(invitation=invitation, by=net.felipe)
    record(net.felipe, Y)
    assert invitations.invite_all_from_records() == 0
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert MentorInvitation.objects.count() == 1
    assert not offers_may(net.felipe, net.cluster)


def offers_may(user, cluster):
    from mentoring.selectors.offers import may_offer

    return may_offer(user, cluster)


def test_only_the_person_invited_may_decline(net):
    record(net.felipe, Y - 2)
    record(net.felipe, Y - 1)
    invitation = MentorInvitation.objects.get(user=net.felipe)
    with pytest.raises(NotAllowed):
        invitations.decline_invitation(invitation=invitation, by=net.gabi)
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_the_invited_follower_offers_from_a_prefilled_form_and_that_accepts(net):
    record(net.felipe, Y - 2)
    record(net.felipe, Y - 1, hs="2101", country="US")
    client = Client()
    client.force_login(net.felipe)
    home = client.get(reverse("mentoring:home"))
    assert b"mentor-invitation" in home.content
    page = client.get(reverse("mentoring:offer", args=[net.cluster.slug]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["products"] == "2101, 0901"
    assert form.initial["markets"] == ["US", "DE"]
    offers.save_offer(user=net.felipe, cluster=net.cluster, capacity=1, products=["2101"])
    assert MentorOffer.objects.filter(user=net.felipe, cluster=net.cluster).exists()
    assert MentorInvitation.objects.get(user=net.felipe).status == "accepted"
    assert b"mentor-invitation" not in client.get(reverse("mentoring:home")).content


def test_declining_from_the_page(net):
    record(net.felipe, Y - 2)
    record(net.felipe, Y - 1)
    client = Client()
    client.force_login(net.felipe)
    response = client.post(reverse("mentoring:invitation_decline"), follow=True)
    assert response.status_code == 200
    assert MentorInvitation.objects.get(user=net.felipe).status == "declined"
    assert b"mentor-invitation" not in response.content
    # Someone never invited has nothing to decline.
    client.force_login(net.gabi)
    assert client.post(reverse("mentoring:invitation_decline")).status_code == 404


def test_the_daily_sweep_invites_firms_whose_records_came_before_the_check(net):
    from mentoring.models import ExportRecord

    for year in (Y - 3, Y - 2):
        ExportRecord.objects.create(
            organization=net.gabi.profile.organization,
            year=year,
            hs_code="1801",
            country="US",
            value_band="lt10k",
        )
    from django.core.management import call_command

    call_command("invite_exporters_to_mentor")
    call_command("invite_exporters_to_mentor")
    assert list(MentorInvitation.objects.values_list("user", flat=True)) == [net.gabi.pk]


on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency runs in the PostgreSQL pass"
)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_checks_send_one_invitation():
    net = build_network()
    organization = net.felipe.profile.organization
    rows = [(Y - 2, "0901", "DE"), (Y - 1, "0901", "DE")]
    errors = race(
        6,
        lambda: invitations.invite_exporter(
            organization=organization, exports=rows, source="imported"
        ),
    )
    assert errors == []
    assert MentorInvitation.objects.filter(user=net.felipe).count() == 1


def test_a_follower_never_invited_still_cannot_offer(net):
    with pytest.raises(NotAllowed):
        offers.save_offer(user=net.gabi, cluster=net.cluster, capacity=1)
