"""Erasing a member at their request: personal data gone, posts and the ledger kept."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session as StoredSession
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forums import services as forums
from forums.models import Notification, Post
from incentives import services as incentives
from incentives.models import Account, ApiToken, Contribution, LedgerEntry
from incentives.selectors import review_queue
from mentoring.models import CalendarFeed, MentoringNeeds, Pairing, Session
from mentoring.services import offers, pairings, sessions
from network import erasure
from network.models import (
    Invitation,
    InvitationBatch,
    Membership,
    MembershipEvent,
    Organization,
    User,
)
from network.services import bulk_invitations, invitations, memberships, profiles
from tests.factories import PASSWORD, OrganizationFactory, add_member, make_cluster
from tests.incentives.conftest import build

NAME = "Fabiola Quispe Huamán"
EMAIL = "fabiola.quispe@andes-cafe.example"
SECOND_EMAIL = "fabi.personal@example.net"
BIO = "Exporto quinua orgánica desde Puno"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, client):
    """A follower with a full life in the network: profile, posts, a pairing, sessions,
    credits confirmed for her mentor, a contribution of her own still pending."""
    setting = build()
    fabi = setting.follower
    User.objects.filter(pk=fabi.pk).update(email=EMAIL, first_name="Fabiola", last_name="Quispe")
    EmailAddress.objects.filter(user=fabi).update(email=EMAIL)
    EmailAddress.objects.create(user=fabi, email=SECOND_EMAIL, verified=True, primary=False)
    fabi.refresh_from_db()
    firm = fabi.profile.organization
    profiles.update_profile(
        profile=fabi.profile,
        display_name=NAME,
        languages=["es", "qu"],
        time_zone="America/Lima",
        bio=BIO,
        expertise=["quinua", "puno"],
    )
    # A second cluster she asked to join, with a message, and an invitation to a third.
    other = make_cluster(coordinator=setting.coordinator, name="Textiles del Sur")
    memberships.request_to_join(
        cluster=other, user=fabi, role="follower", message=f"Soy {NAME}, de Puno."
    )
    third = make_cluster(coordinator=setting.coordinator, name="Cacao Norte")
    invitations.invite_member(
        cluster=third, by=setting.coordinator, email=SECOND_EMAIL, role="mentor"
    )
    # A coordinator's list naming her, previewed and never sent: one row to invite under her
    # second address and one refused (her own, already a member), beside someone else's.
    bulk_invitations.preview_invitations(
        cluster=other,
        by=setting.coordinator,
        content=(
            f"email,role,name\n{SECOND_EMAIL},mentor,{NAME}\n{EMAIL},chief,{NAME}\n"
            "otra.persona@example.org,follower,Otra Persona\n"
        ).encode(),
        file_name="lista.csv",
    )

    # Forums: her topic, a reply to it, a mention of her, notifications both ways.
    room = forums.forum_of(setting.cluster)
    topic = forums.start_topic(
        room=room, author=fabi, title="¿Certificación orgánica?", body="¿Quién conoce Ceres?"
    )
    forums.post_reply(topic=topic, author=setting.mentor, body=f"@{fabi.profile.handle} yo sí")
    reply = forums.post_reply(topic=topic, author=fabi, body="Gracias, te escribo.")

    # Mentoring: her needs, a pairing with its message, sessions to come.
    offers.save_needs(user=fabi, topics=["certificación"], note=f"{NAME} busca mercados")
    offer = offers.save_offer(user=setting.mentor, cluster=setting.cluster, capacity=3)
    pairing = pairings.request_mentor(follower=fabi, offer=offer, message="Hola, soy Fabiola")
    pairing = pairings.accept_pairing(pairing=pairing, by=setting.mentor)
    later = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).replace(
        tzinfo=None, microsecond=0
    )
    one_to_one = sessions.schedule_session(
        by=setting.mentor,
        pairing=pairing,
        title="Revisión del expediente",
        local_start=later,
        time_zone="UTC",
        duration_minutes=60,
    )
    group = sessions.schedule_session(
        by=setting.coordinator,
        cluster=setting.cluster,
        title="Taller de etiquetado",
        local_start=later,
        time_zone="UTC",
        duration_minutes=90,
        capacity=1,
    )
    sessions.answer_session(session=group, user=fabi, answer="yes")
    sessions.answer_session(session=group, user=setting.other_follower, answer="yes")
    CalendarFeed.objects.create(user=fabi)

    # Incentives: a session she confirmed for her mentor (credited), one of hers pending.
    credited = incentives.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=fabi,
        cluster=setting.cluster,
        source="mentoring.session:900",
        confirmed_by=fabi,
        title=f"Sesión con {NAME}",
    )
    assert credited.status == Contribution.Status.CREDITED
    pending = incentives.record_contribution(
        kind="accepted_answer",
        actor=fabi,
        counterpart=setting.other_follower,
        cluster=setting.cluster,
        source="forums.post:901",
    )
    assert pending.status == Contribution.Status.PENDING
    ApiToken.issue(user=fabi, name="mi script")

    client.force_login(fabi)
    return {
        "setting": setting,
        "fabi": fabi,
        "firm": firm,
        "topic": topic,
        "reply": reply,
        "pairing": pairing,
        "one_to_one": one_to_one,
        "group": group,
        "credited": credited,
        "pending": pending,
    }


@pytest.fixture
def erase_through_the_page(client, commit):
    """Erase the signed-in member as they would, running what waits for the commit."""

    def erase() -> None:
        page = client.get(reverse("account_erase"))
        assert page.status_code == 200
        assert "What is erased" in page.text and "What is kept" in page.text
        with commit():
            response = client.post(reverse("account_erase"), {"password": PASSWORD})
        assert response.status_code == 302 and response.url == reverse("account_erased")

    return erase


def ledger_rows() -> list[tuple]:
    return list(LedgerEntry.objects.order_by("pk").values_list())


def text_found_in_database(needles: list[str]) -> list[str]:
    """Every table and column where any needle appears, reading every row of every table."""
    found = []
    lowered = [needle.lower() for needle in needles]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = str(value).lower()
                    for needle in lowered:
                        if needle in text:
                            found.append(f"{table}.{column}: {needle}")
    return found


def snapshot_of(user: User) -> dict:
    user.refresh_from_db()
    profile = user.profile
    return {
        "email": user.email,
        "active": user.is_active,
        "password": user.password,
        "name": profile.display_name,
        "handle": profile.handle,
        "organization": profile.organization_id,
        "memberships": list(
            Membership.objects.filter(user=user).values_list("cluster_id", "role", "status")
        ),
        "emails": list(EmailAddress.objects.filter(user=user).values_list("email", "verified")),
        "attendances": list(user.session_attendances.values_list("session_id", "waitlisted")),
        "posts": list(Post.objects.filter(author=user).values_list("pk", "body")),
    }


def test_every_trace_of_the_name_and_addresses_is_gone_from_every_table(
    world, client, erase_through_the_page
):
    assert text_found_in_database([EMAIL, SECOND_EMAIL, NAME, BIO])  # the search finds them
    erase_through_the_page()
    found = text_found_in_database([EMAIL, SECOND_EMAIL, NAME, BIO, "Fabiola"])
    assert found == [], found


def test_the_account_is_anonymised_and_nobody_can_sign_in_with_it(
    world, client, erase_through_the_page
):
    fabi = world["fabi"]
    elsewhere = Client()  # signed in on another device too
    elsewhere.force_login(fabi)
    erase_through_the_page()
    fabi.refresh_from_db()
    assert fabi.erased_at is not None and not fabi.is_active
    assert fabi.email.endswith("@erased.invalid") and not fabi.has_usable_password()
    assert fabi.profile.display_name == "Former member" and fabi.profile.handle is None
    assert fabi.profile.bio == "" and list(fabi.profile.expertise.all()) == []
    assert not EmailAddress.objects.filter(user=fabi).exists()
    # Signed out here, and nothing of a session survives elsewhere.
    assert client.get(reverse("profile_edit")).status_code == 302
    assert elsewhere.get(reverse("profile_edit")).status_code == 302
    assert not [s for s in StoredSession.objects.all() if s.get_decoded().get("_auth_user_id")]
    for email in (EMAIL, SECOND_EMAIL):
        response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
        assert "_auth_user_id" not in client.session, response.status_code
    assert client.get(reverse("person", args=[fabi.pk])).status_code == 404


def test_the_confirmation_page_says_it_is_done(world, client, erase_through_the_page):
    erase_through_the_page()
    page = client.get(reverse("account_erased"))
    assert page.status_code == 200 and "Your account was erased" in page.text


def test_posts_stay_shown_as_a_former_members(world, client, erase_through_the_page):
    fabi, topic = world["fabi"], world["topic"]
    posts_before = list(Post.objects.filter(author=fabi).values_list("pk", "body"))
    erase_through_the_page()
    assert list(Post.objects.filter(author=fabi).values_list("pk", "body")) == posts_before
    client.force_login(world["setting"].other_follower)
    page = client.get(topic.get_absolute_url())
    assert page.status_code == 200
    assert "Former member" in page.text and "Gracias, te escribo." in page.text
    assert reverse("person", args=[fabi.pk]) not in page.text


def test_the_ledger_is_untouched_and_still_reconciles(
    world, client, capsys, erase_through_the_page
):
    entries, balances = ledger_rows(), list(Account.objects.values_list("pk", "balance"))
    credited = world["credited"]
    erase_through_the_page()
    assert ledger_rows() == entries
    assert list(Account.objects.values_list("pk", "balance")) == balances
    credited.refresh_from_db()
    assert credited.status == Contribution.Status.CREDITED and credited.counterpart_id
    assert credited.title == "Sesión con Former member"
    call_command("reconcile")
    assert "Reconciled" in capsys.readouterr().out


def test_each_app_cleans_what_it_owns(world, client, mailoutbox, erase_through_the_page):
    fabi, setting = world["fabi"], world["setting"]
    erase_through_the_page()
    # network: every membership left, messages and invitations gone.
    assert set(Membership.objects.filter(user=fabi).values_list("status", flat=True)) == {"left"}
    assert not Membership.objects.filter(user=fabi).exclude(message="").exists()
    assert not Invitation.objects.filter(email__iexact=SECOND_EMAIL).exists()
    # The coordinator's list keeps its other rows; hers are gone.
    (batch,) = InvitationBatch.objects.all()
    assert [row["email"] for row in batch.rows] == ["otra.persona@example.org"]
    assert batch.problems == []
    assert MembershipEvent.objects.filter(subject=fabi, detail=erasure.ERASURE_DETAIL).exists()
    # mentoring: the pairing ended, its session and her place cancelled, the waiting list moved.
    pairing = Pairing.objects.get(pk=world["pairing"].pk)
    assert pairing.status == Pairing.Status.ENDED and pairing.message == ""
    assert Session.objects.get(pk=world["one_to_one"].pk).status == Session.Status.CANCELLED
    group = Session.objects.get(pk=world["group"].pk)
    assert not group.attendances.filter(user=fabi).exists()
    assert group.attendances.get(user=setting.other_follower).waitlisted is False
    assert not MentoringNeeds.objects.filter(user=fabi).exists()
    assert not CalendarFeed.objects.filter(user=fabi).exists()
    # forums: her inbox; incentives: what was undecided is withdrawn, her keys revoked.
    assert not Notification.objects.filter(recipient=fabi).exists()
    pending = Contribution.objects.get(pk=world["pending"].pk)
    assert pending.status == Contribution.Status.REJECTED
    assert pending.reason_text == "Withdrawn: the member erased their account."
    assert not ApiToken.objects.filter(user=fabi).exists()
    # The mentor is told the pairing ended, without her name.
    told = [mail for mail in mailoutbox if setting.mentor.email in mail.to]
    assert told and all(NAME not in mail.body for mail in mailoutbox)


def test_what_waited_for_her_confirmation_goes_to_the_coordinators(
    world, client, erase_through_the_page
):
    """The mentor's session with her can no longer be confirmed by her: it is not left
    pending for ever, nor credited unchecked, but held for the coordinators to decide."""
    setting = world["setting"]
    waiting = incentives.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=world["fabi"],
        cluster=setting.cluster,
        source="mentoring.session:902",
    )
    assert waiting.status == Contribution.Status.PENDING
    assert waiting not in review_queue(setting.cluster)

    erase_through_the_page()
    waiting.refresh_from_db()
    assert waiting.status == Contribution.Status.REVIEW
    assert waiting.flags == [{"code": "confirmer_erased"}]
    assert waiting in review_queue(setting.cluster)
    client.force_login(setting.coordinator)
    page = client.get(reverse("incentives:review_queue", args=[setting.cluster.slug]))
    assert "erased their account before confirming" in page.text

    credited = incentives.approve_contribution(contribution=waiting, by=setting.coordinator)
    assert credited.status == Contribution.Status.CREDITED and credited.amount > 0


def test_another_members_data_is_untouched(world, client, erase_through_the_page):
    other = world["setting"].other_follower
    before = snapshot_of(other)
    firm = Organization.objects.filter(pk=world["firm"].pk).values().first()
    erase_through_the_page()
    after = snapshot_of(other)
    # Fabi's place in the workshop went to the next on the waiting list, as it should.
    before["attendances"] = [(session, False) for session, _waitlisted in before["attendances"]]
    assert after == before
    assert Organization.objects.filter(pk=world["firm"].pk).values().first() == firm


def test_a_wrong_password_erases_nothing(world, client):
    fabi = world["fabi"]
    response = client.post(reverse("account_erase"), {"password": "not-my-password-123"})
    assert response.status_code == 200 and "That is not your password." in response.text
    fabi.refresh_from_db()
    assert fabi.erased_at is None and fabi.email == EMAIL and fabi.profile.display_name == NAME


def test_the_only_coordinator_of_a_cluster_with_members_is_told_to_hand_over_first(db, client):
    setting = build()
    coordinator = setting.coordinator
    client.force_login(coordinator)
    page = client.get(reverse("account_erase"))
    assert "only coordinator of" in page.text and 'name="password"' not in page.text
    client.post(reverse("account_erase"), {"password": PASSWORD})
    with pytest.raises(erasure.ErasureRefused):
        erasure.erase_member(user=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.erased_at is None and coordinator.is_active
    # With a second coordinator named, it goes through.
    memberships.change_role(
        membership=Membership.objects.get(user=setting.mentor, cluster=setting.cluster),
        by=coordinator,
        role="coordinator",
    )
    assert erasure.erasure_refusals(user=coordinator) == []
    erasure.erase_member(user=coordinator)
    assert User.objects.get(pk=coordinator.pk).erased_at is not None


def test_an_agencys_only_officer_hands_over_before_erasing(db):
    setting = build()
    reasons = erasure.erasure_refusals(user=setting.officer)
    assert len(reasons) == 1 and "only officer of" in str(reasons[0])
    with pytest.raises(erasure.ErasureRefused):
        erasure.erase_member(user=setting.officer)
    colleague = add_member(setting.cluster, role="follower")
    colleague.profile.organization = setting.agency
    colleague.profile.save()
    assert erasure.erasure_refusals(user=setting.officer) == []


def test_erasing_twice_changes_nothing_the_second_time(world):
    fabi = erasure.erase_member(user=world["fabi"])
    email = fabi.email
    assert erasure.erase_member(user=fabi).email == email


def test_the_last_member_of_a_cluster_may_erase_their_account(db):
    alone = make_cluster(name="Solo")
    coordinator = alone.memberships.get().user
    firm = coordinator.profile.organization = OrganizationFactory()
    coordinator.profile.save()
    erasure.erase_member(user=coordinator)
    assert alone.memberships.get().status == "left"
    alone.refresh_from_db()
    assert alone.active_member_count == 0
    # Their firm's record is the firm's: unlinked from them, kept.
    assert Organization.objects.filter(pk=firm.pk).exists()
    assert User.objects.get(pk=coordinator.pk).profile.organization is None
