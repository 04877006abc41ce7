"""What the forums tell incentives: accepted answers and posts a coordinator found useful.

Reports go through incentives' one interface, inside the forum's transaction, so a change
that rolls back reports nothing; the programme's rules decide what, if anything, is earned.
"""

from django.utils.translation import gettext

from forums import access
from forums.models import Post, Topic
from incentives.services import (
    ContributionKind,
    record_contribution,
    retract_contribution,
    withdraw_contribution,
)
from network.models import Membership, User


def _report(kind: str, *, post: Post, counterpart: User | None, by: User) -> None:
    topic = post.topic
    record_contribution(
        kind=kind,
        actor=post.author,
        cluster=topic.room.cluster,
        source=post,
        counterpart=counterpart,
        confirmed_by=by,
        occurred_at=post.created_at,
        title=topic.title,
        url=post.get_absolute_url(),
    )


def answer_accepted(*, topic: Topic, post: Post, previous: Post | None, by: User) -> None:
    """The answer earns its author a contribution, confirmed when the asker marked it.

    The credit follows the mark, so a question has at most one live accepted-answer credit:
    the answer the mark moved away from loses its own (withdrawn if undecided, reversed in
    the ledger if credited). An answer is credited once at most: if the mark comes back to
    one whose credit was taken back, it earns nothing again, so moving the mark back and
    forth never mints money.
    """
    if previous is not None:
        answer_unaccepted(
            post=previous,
            by=by,
            reason=gettext("The question's accepted answer moved to another reply."),
        )
    if post.author_id is None or post.author_id == topic.author_id:
        return  # answering one's own question helps nobody else
    _report(ContributionKind.ACCEPTED_ANSWER, post=post, counterpart=topic.author, by=by)


def answer_unaccepted(*, post: Post, by: User, reason: str) -> None:
    """The mark left this answer: no credit stands for it any more."""
    retract_contribution(kind=ContributionKind.ACCEPTED_ANSWER, source=post, by=by, reason=reason)


def marked_helpful(*, post: Post, by: User) -> None:
    """A coordinator's helpful mark is the "marked useful by a coordinator" contribution."""
    if post.author_id is not None and access.can_moderate(by, post.topic.room):
        _report(ContributionKind.USEFUL_POST, post=post, counterpart=None, by=by)


def unmarked_helpful(*, post: Post, by: User) -> None:
    """Withdrawn once no coordinator's mark remains, unless it was already credited."""
    if post.author_id is None or not access.can_moderate(by, post.topic.room):
        return
    coordinators = Membership.objects.coordinators().filter(cluster_id=post.topic.room.cluster_id)
    if not post.helpful_votes.filter(voter__in=coordinators.values("user_id")).exists():
        withdraw_contribution(
            kind=ContributionKind.USEFUL_POST,
            actor=post.author,
            source=post,
            reason=gettext("The coordinator took back the helpful mark."),
        )
