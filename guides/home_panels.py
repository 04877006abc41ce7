"""The knowledge library's panel on "My network": guides to write, fix or review."""

from core import home_panels
from guides import selectors
from guides.models import Guide
from network.models import User


def guides_panel(*, user: User) -> dict | None:
    desk = selectors.desk(user, limit=10)
    # Drafts to finish, guides sent back or past their check-again date, corrections sent in.
    mine = [
        guide
        for guide in desk["mine"]
        if guide.status in (Guide.Status.DRAFT, Guide.Status.NEEDS_REVIEW)
        or guide.open_corrections
    ]
    if not mine and not desk["to_review"]:
        return None
    return {"mine": mine[:5], "to_review": desk["to_review"][:5]}


home_panels.register(home_panels.Panel("guides", 12, "guides/panels/guides.html", guides_panel))
