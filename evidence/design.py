"""What an evaluation measures and compares, and the smallest group it shows: read by pages,
the API and reports, which never load the estimator's numerical libraries (evidence.estimate).
"""

OUTCOMES = (
    "exported",
    "ihs_fob",
    "products",
    "destinations",
    "pairs",
    "new_pair",
    "survival",
)
COMPARISONS = ("never_treated", "not_yet_treated")
DEFAULT_COMPARISON = "never_treated"
MIN_CELL = 5  # fewer firms than this in a group: too few to show or to estimate
