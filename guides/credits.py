"""What guides tell incentives: a reviewed guide published, and each reader's useful mark.

Reports go through incentives' one interface inside the guide's transaction, so a change that
rolls back reports nothing; the programme's rules decide what, if anything, is earned.
"""

from guides.models import Guide, UsefulMark
from incentives.services import ContributionKind, record_contribution
from network.models import User


def guide_published(*, guide: Guide, by: User) -> None:
    """Each author, confirmed by the reviewer who publishes it; once per guide, not per version.

    Publishing is the review of this very guide: a burst of the author's other contributions
    does not send its credit back to the same reviewer for a second look."""
    for author in guide.authors.all():
        record_contribution(
            kind=ContributionKind.GUIDE_PUBLISHED,
            actor=author,
            cluster=guide.cluster,
            source=guide,
            confirmed_by=by,
            title=guide.title,
            url=guide.get_absolute_url(),
            reviewed=True,
        )


def marked_useful(*, guide: Guide, mark: UsefulMark) -> None:
    """Each author, with the reader as the person helped who confirms it by the mark itself."""
    for author in guide.authors.exclude(pk=mark.reader_id):
        record_contribution(
            kind=ContributionKind.GUIDE_USEFUL,
            actor=author,
            cluster=guide.cluster,
            source=mark,
            counterpart=mark.reader,
            confirmed_by=mark.reader,
            occurred_at=mark.created_at,
            title=guide.title,
            url=guide.get_absolute_url(),
        )
