"""Customs records of a confirmed firm that show it exporting two years running invite its
followers to mentor; unconfirmed tax ids invite nobody."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from evidence.mentor_invitations import invite_from_customs
from evidence.models import ConfirmedLink
from mentoring.models import MentorInvitation
from network.models import Organization
from tests.evidence.data import customs, registry
from tests.incentives.conftest import build

Y = timezone.localdate().year


@pytest.fixture
def world(db):
    setting = build()
    setting.ids = registry(setting.agency, setting.officer, 2)
    setting.firm = setting.follower.profile.organization
    Organization.objects.filter(pk=setting.firm.pk).update(
        tax_id_scheme="RUC", tax_id=setting.ids[0]
    )
    customs(
        setting.agency,
        setting.officer,
        [
            (setting.ids[0], Y - 2, "090111", "US", "100"),
            (setting.ids[0], Y - 1, "090121", "JP", "100"),
        ],
    )
    return setting


def confirm(world):
    ConfirmedLink.objects.create(
        agency=world.agency,
        organization=world.firm,
        scheme="RUC",
        tax_id=world.ids[0],
        confirmed_by=world.officer,
    )


def test_imported_exports_of_a_confirmed_firm_invite_its_follower_once(world, commit):
    confirm(world)
    with commit():
        call_command("invite_exporters_to_mentor")
    invitation = MentorInvitation.objects.get()
    assert invitation.user == world.follower and invitation.source == "imported"
    assert invitation.products == ["0901"] and invitation.markets == ["JP", "US"]
    assert len(mail.outbox) == 1
    with commit():
        call_command("invite_exporters_to_mentor")
    assert MentorInvitation.objects.count() == 1 and len(mail.outbox) == 1


def test_a_tax_id_nobody_confirmed_invites_nobody(world):
    assert invite_from_customs() == 0
    assert not MentorInvitation.objects.exists()


def test_a_firm_that_changed_its_tax_id_since_is_not_read(world):
    confirm(world)
    Organization.objects.filter(pk=world.firm.pk).update(tax_id=world.ids[1])
    assert invite_from_customs() == 0
