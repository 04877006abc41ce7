"""What mentoring shows on the pages of the apps below, through the places they leave
(core.slots): on an agency's programme page, the way to the knowledge chain of its clusters."""

from core import slots


def programme_links(*, viewer, programme) -> dict:
    # A link, not the counts: the chain takes three reads the programme page cannot spare.
    return {"programme": programme}


slots.register(
    "programme.links",
    slots.Piece("mentoring", "mentoring/_programme_chain_link.html", programme_links),
)
