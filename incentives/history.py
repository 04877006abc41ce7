"""Each step of a firm's referrals in the firm's history (network.history): who referred it
to which programme with what note, and what the receiving agency answered, with who and when."""

from incentives.selectors import firm_referral_events
from network import history


def referral_steps(*, organization, limit: int) -> list[history.Entry]:
    return [
        history.Entry(
            at=event.at, template="incentives/_history_referral.html", context={"event": event}
        )
        for event in firm_referral_events(organization, limit=limit)
    ]


history.register("incentives.referrals", referral_steps)
