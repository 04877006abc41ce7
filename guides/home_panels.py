"""The knowledge library's panel on "My network": guides to write, fix or review."""

from core import home_panels
from guides import selectors
from network.models import User


def guides_panel(*, user: User) -> dict | None:
    # Drafts to finish, guides sent back or past their check-again date, corrections sent in.
    needing = selectors.needing(user, limit=5)
    if not needing["mine"] and not needing["to_review"]:
        return None
    return needing


home_panels.register(home_panels.Panel("guides", 12, "guides/panels/guides.html", guides_panel))
