"""Why a contribution was capped, refused or reversed, explained in the reader's language.

Crediting stores a code and its figures, not a sentence: the member reads the reason later,
in their own language, whoever confirmed the contribution and in whatever language they did.
"""

from django.utils import translation
from django.utils.translation import gettext

SELF = "self"
SAME_ORGANIZATION = "same_organization"
NOT_CREDITED = "not_credited"  # data: {"why": one of the limits}
CAPPED = "capped"  # data: {"amount": "20.00", "full": "50.00", "why": one of the limits}
REVERSED = "reversed"  # data: {"why": the officer's words}
ERASED = "erased"  # the member erased their account before it was decided

CAP_MEMBER = "cap_member"
CAP_PAIR = "cap_pair"
BUDGET = "budget"


def _limit(code: str) -> str:
    if code == CAP_MEMBER:
        return gettext("the monthly cap per member is reached")
    if code == CAP_PAIR:
        return gettext("the monthly cap per pair is reached")
    if code == BUDGET:
        return gettext("the programme's budget is used up")
    return code


def explain(code: str, data: dict | None = None) -> str:
    """The sentence for a reason code, in the active language; "" for no code."""
    data = data or {}
    if code == SELF:
        return gettext("No credit for helping oneself.")
    if code == SAME_ORGANIZATION:
        return gettext("No credit between people of the same organization.")
    if code == NOT_CREDITED:
        return gettext("Not credited: %(why)s.") % {"why": _limit(data.get("why", ""))}
    if code == CAPPED:
        return gettext("Credited %(amount)s of %(full)s: %(why)s.") % {
            "amount": data.get("amount", ""),
            "full": data.get("full", ""),
            "why": _limit(data.get("why", "")),
        }
    if code == REVERSED:
        return gettext("Reversed: %(why)s") % {"why": data.get("why", "")}
    if code == ERASED:
        return gettext("Withdrawn: the member erased their account.")
    return code


def in_english(code: str, data: dict | None = None) -> str:
    """The same sentence in English, kept on the row for auditors and searches."""
    with translation.override("en"):
        return explain(code, data)
