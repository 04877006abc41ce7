"""Incentives' door for writes: every other app changes incentives through these names only.

Split by entity: contributions (reported by the other apps, confirmed, withdrawn, reversed),
coordinators' reviews, programmes, payments, referrals between agencies and API keys.
`ledger` and `settlement` are the steps they share, not part of the door.
"""

from incentives.models import ContributionKind  # what a reporting app says it reports
from incentives.services.api_keys import issue_api_key, revoke_api_key
from incentives.services.contributions import (
    confirm_contribution,
    forget_erased_member,
    record_contribution,
    retract_contribution,
    reverse_credit,
    source_label,
    withdraw_contribution,
)
from incentives.services.payments import approve_month, pay
from incentives.services.programmes import (
    add_budget,
    create_programme,
    set_figure_sharing,
    set_rule,
)
from incentives.services.referrals import (
    accept_referral,
    complete_referral,
    decline_referral,
    refer_firm,
)
from incentives.services.reviews import approve_contribution, reject_contribution

__all__ = [
    "ContributionKind",
    "accept_referral",
    "add_budget",
    "approve_contribution",
    "approve_month",
    "complete_referral",
    "confirm_contribution",
    "create_programme",
    "decline_referral",
    "forget_erased_member",
    "issue_api_key",
    "pay",
    "record_contribution",
    "refer_firm",
    "reject_contribution",
    "retract_contribution",
    "reverse_credit",
    "revoke_api_key",
    "set_figure_sharing",
    "set_rule",
    "source_label",
    "withdraw_contribution",
]
