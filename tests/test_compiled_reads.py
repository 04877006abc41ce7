"""Compiled reads and updates (core.compiled) do what the ORM would, for every caller's own
values."""

import datetime
import threading
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Prefetch, Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from core.compiled import compiled_read, compiled_update, counted
from network.models import Membership
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db

Role = Membership.Role


def _clusters_by_name(member):
    return (
        Membership.objects.filter(user=member, status=Membership.Status.ACTIVE)
        .select_related("cluster")
        .only("role", "cluster__name")
        .order_by("cluster__name")
    )


builds = []


def _memberships_read():
    """A read of its own for each test, which counts its builds: each statement is built
    twice (the second checks that the first holds nothing the builder took for itself)."""
    builds.clear()

    @compiled_read(shape=("limit",))
    def memberships(p, *, limit):
        builds.append(limit)
        return _clusters_by_name(p.member)[:limit]

    return memberships


@pytest.fixture
def two_members():
    ana, bruno = UserFactory(name="Ana"), UserFactory(name="Bruno")
    for name in ("Cacao", "Banano", "Aguacate"):
        add_member(make_cluster(name=name), ana, role=Role.MENTOR)
    add_member(make_cluster(name="Café"), bruno)
    return ana, bruno


def test_each_call_reads_its_own_rows_with_one_statement_built_once(
    two_members, django_assert_num_queries, refetched
):
    ana, bruno = two_members
    _memberships = _memberships_read()
    first = _memberships(member=ana.pk, limit=10)
    with django_assert_num_queries(1):
        second = _memberships(member=bruno.pk, limit=10)
    again = _memberships(member=ana.pk, limit=10)

    assert [(m.cluster.name, m.role) for m in first] == [
        ("Aguacate", Role.MENTOR),
        ("Banano", Role.MENTOR),
        ("Cacao", Role.MENTOR),
    ]
    assert [(m.cluster.name, m.role) for m in second] == [("Café", Role.FOLLOWER)]
    assert again == first == list(_clusters_by_name(ana)[:10])
    assert builds == [10, 10]  # built for this limit once (and checked), whoever asked
    assert refetched == []  # .only() and select_related() held: nothing read row by row


def test_what_changes_the_sql_is_shape_with_a_statement_of_its_own(two_members):
    ana, _ = two_members
    _memberships = _memberships_read()

    assert [m.cluster.name for m in _memberships(member=ana.pk, limit=2)] == [
        "Aguacate",
        "Banano",
    ]
    assert len(_memberships(member=ana.pk, limit=10)) == 3
    assert len(_memberships(member=ana.pk, limit=2)) == 2
    assert builds == [2, 2, 10, 10]


@compiled_read()
def _joined_since(p):
    return Membership.objects.filter(cluster_id=p.cluster, created_at__gte=p.since).values_list(
        "user__profile__display_name", flat=True
    )


def test_times_are_compared_as_the_field_compares_them(two_members):
    cluster = make_cluster(name="Flores")
    add_member(cluster, UserFactory(name="Carla"))
    joined = Membership.objects.get(cluster=cluster, user__profile__display_name="Carla")
    later = joined.created_at + datetime.timedelta(seconds=1)
    in_bogota = joined.created_at.astimezone(zoneinfo.ZoneInfo("America/Bogota"))

    assert list(_joined_since(cluster=cluster.pk, since=joined.created_at)) == ["Carla"]
    assert list(_joined_since(cluster=cluster.pk, since=in_bogota)) == ["Carla"]
    assert list(_joined_since(cluster=cluster.pk, since=later)) == []


@compiled_read()
def _joined_on(p):
    return Membership.objects.filter(cluster_id=p.cluster, created_at__date=p.day).values_list(
        "user__profile__display_name", flat=True
    )


def test_a_date_in_the_readers_time_zone_is_read_in_that_zone():
    cluster = make_cluster(name="Flores")
    add_member(cluster, UserFactory(name="Carla"))
    joined = Membership.objects.get(cluster=cluster, user__profile__display_name="Carla")
    # 23:30 UTC on one day is the next day in Tokyo: the zone is part of the statement.
    at = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    Membership.objects.filter(pk=joined.pk).update(created_at=at)

    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        assert list(_joined_on(cluster=cluster.pk, day=datetime.date(2026, 3, 1))) == ["Carla"]
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert list(_joined_on(cluster=cluster.pk, day=datetime.date(2026, 3, 1))) == []
        assert list(_joined_on(cluster=cluster.pk, day=datetime.date(2026, 3, 2))) == ["Carla"]


@compiled_read()
def _mentoring_roles(p):
    return counted(Membership.objects.filter(user=p.member, role=Role.MENTOR))


@compiled_read()
def _clusters_with_mentors(p):
    mentors = Count("cluster__memberships", filter=Q(cluster__memberships__role=p.role))
    return (
        Membership.objects.filter(user=p.member)
        .annotate(mentors=mentors)
        .order_by("cluster__name")
        .values_list("cluster__name", "mentors")
    )


def test_counts_and_aggregates_take_their_values_too(two_members):
    ana, bruno = two_members

    assert _mentoring_roles(member=ana.pk) == [3]
    assert _mentoring_roles(member=bruno.pk) == [0]
    assert _clusters_with_mentors(member=ana.pk, role=Role.MENTOR) == [
        ("Aguacate", 1),
        ("Banano", 1),
        ("Cacao", 1),
    ]
    assert _clusters_with_mentors(member=bruno.pk, role=Role.MENTOR) == [("Café", 0)]
    assert _clusters_with_mentors(member=bruno.pk, role=Role.FOLLOWER) == [("Café", 1)]


@compiled_read()
def _since_now(p):
    return Membership.objects.filter(user=p.member, created_at__lte=timezone.now())


def test_a_read_refuses_what_it_could_not_bind_faithfully(two_members):
    ana, _ = two_members
    _memberships = _memberships_read()

    with pytest.raises(TypeError, match="takes"):
        _memberships(limit=3)
    with pytest.raises(TypeError, match="takes"):
        _memberships(member=ana.pk, cluster=1, limit=3)
    with pytest.raises(TypeError, match="None is shape"):
        _memberships(member=None, limit=3)
    with pytest.raises(TypeError, match="None is shape"):
        _memberships(member=[ana.pk], limit=3)
    with pytest.raises(TypeError, match="primary key"):
        _memberships(member=ana, limit=3)
    # A time the builder took for itself would stand still for every later call.
    with pytest.raises(TypeError, match="times"):
        _since_now(member=ana.pk)


@compiled_read()
def _roles_in(p):
    chosen = Membership.objects.filter(user=p.member, cluster__name__in=p.many("names", of=str))
    return chosen.order_by("cluster__name").values_list("cluster__name", flat=True)


def test_several_values_are_one_parameter_whatever_their_number(two_members):
    ana, _ = two_members

    assert _roles_in(member=ana.pk, names=["Cacao", "Aguacate", "Café"]) == ["Aguacate", "Cacao"]
    assert _roles_in(member=ana.pk, names=["Banano"]) == ["Banano"]
    assert _roles_in(member=ana.pk, names=[]) == []
    assert len(_roles_in._statements) == 1
    with pytest.raises(TypeError, match="as a list"):
        _roles_in(member=ana.pk, names="Banano")


def test_a_read_keeps_a_bounded_number_of_statements(two_members, monkeypatch):
    ana, _ = two_members
    monkeypatch.setattr("core.compiled.SHAPES_KEPT", 3)
    _memberships = _memberships_read()

    for limit in (1, 2, 3, 4):
        assert len(_memberships(member=ana.pk, limit=limit)) == min(limit, 3)

    assert len(_memberships._statements) == 3  # the first shape went
    assert len(_memberships(member=ana.pk, limit=1)) == 1  # and is built again when asked


@pytest.mark.django_db(transaction=True)
def test_threads_reading_at_once_each_get_their_own_rows(two_members):
    ana, bruno = two_members
    _memberships = _memberships_read()
    expected = {ana.pk: ["Aguacate", "Banano", "Cacao"], bruno.pk: ["Café"]}
    start = threading.Barrier(6)

    def read(member_id: int) -> list[list[str]]:
        try:
            start.wait()
            return [
                [m.cluster.name for m in _memberships(member=member_id, limit=10)]
                for _ in range(20)
            ]
        finally:
            connection.close()  # each thread's own

    members = [ana.pk, bruno.pk] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(read, members))

    for member_id, reads in zip(members, answers, strict=True):
        assert reads == [expected[member_id]] * 20


def _locking_read():
    @compiled_read()
    def locked(p):
        return Membership.objects.filter(user=p.member).select_for_update().order_by("pk")

    return locked


def test_a_locking_read_answers_in_a_transaction(two_members):
    locked = _locking_read()
    ana, bruno = two_members
    with transaction.atomic():
        assert locked(member=ana.pk) == list(Membership.objects.filter(user=ana).order_by("pk"))
        assert [m.user_id for m in locked(member=bruno.pk)] == [bruno.pk]


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_is_refused_outside_a_transaction_once_built(two_members):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole file, not rows: checked in the PostgreSQL pass")
    locked = _locking_read()
    with pytest.raises(TransactionManagementError, match="outside of a transaction"):
        locked(member=two_members[0].pk)  # refused by Django as it builds the statement
    with transaction.atomic():
        locked(member=two_members[0].pk)
    with pytest.raises(TransactionManagementError, match="outside of a transaction"):
        locked(member=two_members[0].pk)  # and by the built statement


def test_a_prefetch_with_a_queryset_is_left_to_after_the_read(two_members):
    @compiled_read()
    def prefetching(p):
        return Membership.objects.filter(user=p.member).prefetch_related(
            Prefetch("cluster__memberships", queryset=Membership.objects.all())
        )

    with pytest.raises(TypeError, match="after the read"):
        prefetching(member=two_members[0].pk)


def _promotion():
    builds.clear()

    @compiled_update(shape=("stamped",))
    def promoted(p, *, stamped):
        builds.append(stamped)
        changes = {"role": p.role} | ({"updated_at": p.at} if stamped else {})
        # A filter across a join: Django updates the rows a subquery picks.
        rows = Membership.objects.filter(user=p.member, cluster__name__startswith=p.prefix)
        return rows, changes

    return promoted


def test_an_update_changes_the_rows_its_values_pick_with_one_statement_built_once(
    two_members, django_assert_num_queries
):
    ana, bruno = two_members
    promoted = _promotion()
    at = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)

    assert promoted(stamped=False, member=ana.pk, prefix="Ba", role=Role.COORDINATOR) == 1
    with django_assert_num_queries(1):
        assert promoted(stamped=False, member=ana.pk, prefix="Ca", role=Role.FOLLOWER) == 1
    assert promoted(stamped=True, member=bruno.pk, prefix="Ca", role=Role.MENTOR, at=at) == 1
    assert promoted(stamped=False, member=bruno.pk, prefix="Zz", role=Role.FOLLOWER) == 0

    theirs = Membership.objects.filter(user__in=two_members).select_related("cluster")
    roles = {(m.user_id, m.cluster.name): m.role for m in theirs}
    assert roles == {
        (ana.pk, "Aguacate"): Role.MENTOR,
        (ana.pk, "Banano"): Role.COORDINATOR,
        (ana.pk, "Cacao"): Role.FOLLOWER,
        (bruno.pk, "Café"): Role.MENTOR,
    }
    assert Membership.objects.get(user=bruno).updated_at == at  # stored as the field stores it
    assert builds == [False, False, True, True]


def test_an_update_that_takes_a_time_for_itself_is_refused(two_members):
    @compiled_update()
    def touched(p):
        return Membership.objects.filter(user=p.member), {"updated_at": timezone.now()}

    before = list(Membership.objects.order_by("pk").values_list("updated_at", flat=True))
    with pytest.raises(TypeError, match="times"):
        touched(member=two_members[0].pk)
    assert list(Membership.objects.order_by("pk").values_list("updated_at", flat=True)) == before


def test_an_update_of_a_slice_is_refused_as_the_orm_refuses_it(two_members):
    @compiled_update()
    def first_only(p):
        return Membership.objects.filter(user=p.member).order_by("pk")[:1], {"role": p.role}

    with pytest.raises(TypeError, match="not a slice"):
        first_only(member=two_members[0].pk, role=Role.COORDINATOR)
    assert not Membership.objects.filter(user=two_members[0], role=Role.COORDINATOR).exists()


def test_a_failed_update_spoils_its_transaction_as_the_orms_does(two_members):
    @compiled_update()
    def moved(p):
        return Membership.objects.filter(user=p.member), {"user_id": p.to}

    ana, _ = two_members
    coordinator = Membership.objects.get(cluster__name="Cacao", role=Role.COORDINATOR).user_id
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            moved(member=ana.pk, to=coordinator)  # who is in Cacao already
        with pytest.raises(TransactionManagementError):
            Membership.objects.count()  # until the block is left, rolled back
    assert Membership.objects.filter(user=ana).count() == 3
