"""Accepted answers and coordinators' helpful marks reach incentives as contributions."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from core.errors import DomainError, NotAllowed
from forums import services
from forums.models import Topic
from incentives.models import Account, Contribution, LedgerEntry
from tests.incentives.conftest import build

pytestmark = pytest.mark.django_db
Status = Contribution.Status


@pytest.fixture
def world():
    setting = build()
    setting.room = services.forum_of(setting.cluster)
    setting.question = services.start_topic(
        room=setting.room,
        author=setting.follower,
        title="Certificate of origin for Germany",
        body="Which form does the chamber need?",
        kind=Topic.Kind.QUESTION,
    )
    return setting


def _reply(world, author, body="Form A, signed by the chamber."):
    return services.post_reply(topic=world.question, author=author, body=body)


def _balance(user) -> Decimal:
    account = Account.objects.filter(member=user).first()
    return account.balance if account else Decimal("0")


def test_answer_accepted_by_the_asker_is_credited_once(world):
    answer = _reply(world, world.mentor)
    services.accept_answer(post=answer, by=world.follower)
    services.accept_answer(post=answer, by=world.follower)  # a second click changes nothing

    contribution = Contribution.objects.get(kind="accepted_answer")
    assert (contribution.actor, contribution.counterpart) == (world.mentor, world.follower)
    assert contribution.status == Status.CREDITED and contribution.amount == Decimal("10")
    assert contribution.url.endswith(f"#post-{answer.pk}")
    assert _balance(world.mentor) == Decimal("10")


def test_answer_accepted_by_a_coordinator_waits_for_the_asker(world):
    answer = _reply(world, world.mentor)
    services.accept_answer(post=answer, by=world.coordinator)

    contribution = Contribution.objects.get(kind="accepted_answer")
    assert contribution.status == Status.PENDING and contribution.confirmed_at is None
    assert _balance(world.mentor) == Decimal("0")


def test_moving_the_mark_withdraws_an_answer_still_waiting_for_the_asker(world):
    first = _reply(world, world.mentor)
    second = _reply(world, world.other_follower, "Ask the chamber for form EUR.1.")
    services.accept_answer(post=first, by=world.coordinator)  # pending the asker
    services.accept_answer(post=second, by=world.follower)  # credited

    by_author = {c.actor: c for c in Contribution.objects.filter(kind="accepted_answer")}
    assert by_author[world.mentor].status == Status.REJECTED
    assert "moved" in by_author[world.mentor].reason
    assert by_author[world.other_follower].status == Status.CREDITED
    assert not LedgerEntry.objects.filter(kind="reversal").exists()  # nothing was credited


def test_moving_the_mark_reverses_the_first_answers_credit_in_the_ledger(world, capsys):
    first = _reply(world, world.mentor)
    second = _reply(world, world.other_follower, "Ask the chamber for form EUR.1.")
    services.accept_answer(post=first, by=world.follower)
    services.accept_answer(post=second, by=world.follower)

    credit, reversal, other = LedgerEntry.objects.exclude(kind="funding").order_by("id")
    assert (credit.kind, reversal.kind, other.kind) == ("credit", "reversal", "credit")
    assert reversal.reverses == credit and reversal.created_by == world.follower
    assert (_balance(world.mentor), _balance(world.other_follower)) == (0, Decimal("10"))
    reversed_ = Contribution.objects.get(actor=world.mentor)
    assert reversed_.status == Status.REJECTED and reversed_.amount == 0
    assert "moved" in reversed_.reason_text
    call_command("reconcile")
    assert "every balance equals its entries" in capsys.readouterr().out


def test_moving_the_mark_back_and_forth_never_mints_money(world, capsys):
    first = _reply(world, world.mentor)
    second = _reply(world, world.other_follower, "Ask the chamber for form EUR.1.")
    for post in [first, second] * 3 + [first]:
        services.accept_answer(post=post, by=world.follower)
        live = Contribution.objects.filter(status__in=[Status.CREDITED, Status.CAPPED])
        assert live.count() <= 1  # never two live credits for one question

    # Each answer was credited once and reversed once; the mark's return earns nothing.
    assert LedgerEntry.objects.filter(kind="credit").count() == 2
    assert LedgerEntry.objects.filter(kind="reversal").count() == 2
    assert _balance(world.mentor) + _balance(world.other_follower) == 0
    world.question.refresh_from_db()
    assert world.question.accepted_post == first  # the mark itself still moves freely
    call_command("reconcile")
    assert "every balance equals its entries" in capsys.readouterr().out


def test_hiding_the_accepted_answer_reverses_its_credit(world, capsys):
    answer = _reply(world, world.mentor)
    services.accept_answer(post=answer, by=world.follower)
    services.hide_post(post=answer, by=world.coordinator, reason="Advertising")

    assert _balance(world.mentor) == 0
    assert Contribution.objects.get(actor=world.mentor).status == Status.REJECTED
    assert LedgerEntry.objects.get(kind="reversal").created_by == world.coordinator
    call_command("reconcile")
    assert "every balance equals its entries" in capsys.readouterr().out


def test_answering_ones_own_question_earns_nothing(world):
    own = _reply(world, world.follower, "Found it myself: form A.")
    services.accept_answer(post=own, by=world.follower)
    assert not Contribution.objects.filter(kind="accepted_answer").exists()


def test_a_coordinators_helpful_mark_credits_the_author_and_a_members_does_not(world):
    post = _reply(world, world.mentor)
    services.mark_helpful(post=post, by=world.other_follower)
    assert not Contribution.objects.exists()

    services.mark_helpful(post=post, by=world.coordinator)
    contribution = Contribution.objects.get(kind="useful_post")
    assert contribution.actor == world.mentor and contribution.confirmed_by == world.coordinator
    assert contribution.status == Status.CREDITED and _balance(world.mentor) == Decimal("5")


def test_a_coordinator_taking_back_the_mark_keeps_a_credit_already_made(world):
    post = _reply(world, world.mentor)
    services.mark_helpful(post=post, by=world.coordinator)
    services.unmark_helpful(post=post, by=world.coordinator)
    assert Contribution.objects.get(kind="useful_post").status == Status.CREDITED


def test_a_forum_change_that_fails_reports_nothing(world):
    hidden = _reply(world, world.mentor)
    services.hide_post(post=hidden, by=world.coordinator, reason="off topic")
    with pytest.raises(DomainError):
        services.accept_answer(post=hidden, by=world.follower)
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("status", ["suspended", "left"])
def test_an_asker_no_longer_active_cannot_accept_nor_credit(world, status):
    answer = _reply(world, world.mentor)
    world.follower.memberships.update(status=status)
    asker = type(world.follower).objects.get(pk=world.follower.pk)
    with pytest.raises(NotAllowed) as refused:
        services.accept_answer(post=answer, by=asker)
    assert "active member" in str(refused.value.message)
    world.question.refresh_from_db()
    assert world.question.accepted_post is None
    assert list(world.question.events.values_list("kind", flat=True)) == ["post.created"] * 2
    assert not Contribution.objects.exists() and _balance(world.mentor) == 0
