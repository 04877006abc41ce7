"""A coordinator invites a list of people from a CSV: previewed, each person invited once."""

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from network.models import Invitation, InvitationBatch, Membership
from network.services import bulk_invitations, invitations
from tests.concurrency import race
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db

Role, Status = Membership.Role, Membership.Status

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrency runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


@pytest.fixture
def setting():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    return cluster, coordinator


def preview(cluster, by, text: str, name="people.csv"):
    return bulk_invitations.preview_invitations(
        cluster=cluster, by=by, content=text.encode(), file_name=name
    )


def reasons(batch) -> dict[int, str]:
    return {row["row"]: row["reason"] for row in batch.problems}


def test_the_preview_sends_nothing_and_lists_every_bad_row_with_its_reason(setting, mailoutbox):
    cluster, coordinator = setting
    member = add_member(cluster, UserFactory(email="member@example.org"))
    suspended = add_member(cluster, UserFactory(email="away@example.org"), status=Status.SUSPENDED)
    invitations.invite_member(
        cluster=cluster, by=coordinator, email="pending@example.org", role="follower"
    )
    mailoutbox.clear()
    batch = preview(
        cluster,
        coordinator,
        "email;role;name\n"
        "ana@example.org;follower;Ana Pérez\n"  # 2: fine
        "JOAO@Example.org;Mentora;João\n"  # 3: fine, a role written in Spanish
        "not-an-address;follower;X\n"  # 4
        "b@example.org;boss;B\n"  # 5
        "c@example.org;coordinator;C\n"  # 6
        "ana@example.org;mentor;Ana again\n"  # 7
        f"{member.email};follower;M\n"  # 8
        "pending@example.org;follower;P\n"  # 9
        f"{suspended.email};mentor;S\n",  # 10
    )
    assert [row["email"] for row in batch.rows] == ["ana@example.org", "joao@example.org"]
    assert [row["role"] for row in batch.rows] == ["follower", "mentor"]
    assert reasons(batch) == {
        4: "Not a valid email address.",
        5: "Unknown role: write follower or mentor.",
        6: "Coordinators and agency observers are invited one at a time, from the cluster's page.",
        7: "Already on row 2 of this file.",
        8: "Already a member.",
        9: "Already invited; the invitation is waiting for an answer.",
        10: "Suspended from this cluster; reinstate them instead.",
    }
    assert Invitation.objects.count() == 1 and mailoutbox == []


def test_confirming_sends_every_invitation_once_and_a_second_upload_invites_nobody(
    setting, commit, mailoutbox
):
    cluster, coordinator = setting
    text = "email,role,name\nana@example.org,follower,Ana Pérez\njoao@example.org,mentor,João\n"
    batch = preview(cluster, coordinator, text)
    with commit():
        bulk_invitations.send_invitation_batch(batch=batch, by=coordinator)
    assert sorted(mail.to[0] for mail in mailoutbox) == ["ana@example.org", "joao@example.org"]
    assert Invitation.objects.get(email="ana@example.org").name == "Ana Pérez"
    with pytest.raises(DomainError, match="already sent"):
        bulk_invitations.send_invitation_batch(batch=batch, by=coordinator)
    again = preview(cluster, coordinator, text)
    assert again.rows == [] and len(again.problems) == 2
    assert Invitation.objects.count() == 2 and len(mailoutbox) == 2


def test_an_expired_invitation_may_be_sent_again(setting):
    cluster, coordinator = setting
    old = invitations.invite_member(
        cluster=cluster, by=coordinator, email="late@example.org", role="follower"
    )
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    batch = preview(cluster, coordinator, "email,role,name\nlate@example.org,mentor,\n")
    assert [row["email"] for row in batch.rows] == ["late@example.org"]


def test_sending_is_all_or_nothing_when_someone_joined_since_the_preview(setting, mailoutbox):
    cluster, coordinator = setting
    batch = preview(
        cluster, coordinator, "email,role,name\na@example.org,follower,A\nb@example.org,mentor,B\n"
    )
    add_member(cluster, UserFactory(email="b@example.org"))
    with pytest.raises(DomainError, match=r"b@example\.org"):
        bulk_invitations.send_invitation_batch(batch=batch, by=coordinator)
    assert not Invitation.objects.exists() and mailoutbox == []
    batch.refresh_from_db()
    assert batch.sent_at is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"email,role,name\n", "The file names nobody to invite."),
        (b"who,what\nx,y\n", "must name the columns email, role and name"),
        (b"email,role\n\xff\xfe,follower\n", "not UTF-8"),
        (b"email,role\n\x00,follower\n", "binary data"),
        (b'email,role\n"a@example.org,follower\n', "not valid CSV"),
        (b"email,role,name\n" + b"a@example.org,follower,A\n" * 20000, "larger than 256 KB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_saves_nothing(setting, content, message):
    cluster, coordinator = setting
    with pytest.raises(DomainError, match=message):
        bulk_invitations.preview_invitations(cluster=cluster, by=coordinator, content=content)
    assert not InvitationBatch.objects.exists()


def test_more_people_than_the_limit_are_refused(setting):
    cluster, coordinator = setting
    lines = "".join(f"p{n}@example.org,follower,\n" for n in range(bulk_invitations.MAX_ROWS + 1))
    with pytest.raises(DomainError, match="more than 500 people"):
        preview(cluster, coordinator, "email,role,name\n" + lines)


def test_only_the_clusters_active_coordinators_preview_or_send(setting):
    cluster, coordinator = setting
    follower = add_member(cluster)
    former = add_member(cluster, role=Role.COORDINATOR, status=Status.LEFT)
    for person in (follower, former, UserFactory()):
        with pytest.raises(NotAllowed):
            preview(cluster, person, "email,role\na@example.org,follower\n")
    batch = preview(cluster, coordinator, "email,role\na@example.org,follower\n")
    with pytest.raises(NotAllowed):
        bulk_invitations.send_invitation_batch(batch=batch, by=former)
    assert not Invitation.objects.exists()


def test_the_page_previews_then_sends_and_the_fix_list_is_formula_safe(client, setting, commit):
    cluster, coordinator = setting
    client.force_login(coordinator)
    upload = SimpleUploadedFile(
        "people.csv",
        b'email,role,name\nana@example.org,follower,Ana\nbad,follower,=HYPERLINK("x")\n',
    )
    url = reverse("invitation_list_upload", args=[cluster.slug])
    response = client.post(url, {"file": upload})
    batch = InvitationBatch.objects.get()
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "ana@example.org" in page and "Not a valid email address." in page
    assert "Send 1 invitation" in page
    fix = client.get(reverse("invitation_list_problems", args=[cluster.slug, batch.pk]))
    assert "'=HYPERLINK" in fix.content.decode()
    with commit():
        sent = client.post(reverse("invitation_list_send", args=[cluster.slug, batch.pk]))
    assert sent.status_code == 302
    assert Invitation.objects.filter(email="ana@example.org").exists()
    followed = client.get(sent.url).content.decode()
    assert "1 invitation sent" in followed


def test_another_clusters_list_is_not_found(client, setting):
    cluster, coordinator = setting
    other_coordinator = UserFactory()
    other = make_cluster(coordinator=other_coordinator)
    batch = preview(cluster, coordinator, "email,role\na@example.org,follower\n")
    client.force_login(other_coordinator)
    for name in ("invitation_list", "invitation_list_problems"):
        assert client.get(reverse(name, args=[other.slug, batch.pk])).status_code == 404
    response = client.post(reverse("invitation_list_send", args=[other.slug, batch.pk]))
    assert response.status_code == 404 and not Invitation.objects.exists()


def test_the_name_on_the_list_is_offered_when_the_invitee_accepts(client, setting):
    cluster, coordinator = setting
    invitee = UserFactory(email="ana@example.org")
    batch = preview(cluster, coordinator, "email,role,name\nana@example.org,follower,Ana Pérez\n")
    bulk_invitations.send_invitation_batch(batch=batch, by=coordinator)
    client.force_login(invitee)
    page = client.get(Invitation.objects.get().get_absolute_url()).content.decode()
    assert 'value="Ana Pérez"' in page


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_invite_each_person_once(mailoutbox):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    lines = "".join(f"p{n}@example.org,follower,P{n}\n" for n in range(5))
    batch = preview(cluster, coordinator, "email,role,name\n" + lines)
    other = preview(cluster, coordinator, "email,role,name\n" + lines)
    batches = iter([batch, batch, other, other])

    lock = threading.Lock()

    def confirm():
        with lock:
            mine = next(batches)
        bulk_invitations.send_invitation_batch(batch=mine, by=coordinator)

    errors = race(4, confirm)
    assert len(errors) == 3 and all(isinstance(error, DomainError) for error in errors)
    assert Invitation.objects.count() == 5
    assert len(mailoutbox) == 5
