"""Every read the mentoring pages, panels and other apps make, one module per thing read:

    pairings   pairings the viewer may see, and those waiting for their answer
    offers     offers and needs, and where a person may offer mentoring
    matching   the facts scoring weighs, and the offers a follower may be shown
    cohorts    followers waiting for a mentor, and a cluster's cohort draft
    sessions   sessions the viewer may see, answer or confirm; calendars
    goals      a pairing's goals and a follower's open ones
    outcomes   export records and the outcomes of mentored firms

Each returns only what the viewer may see, shaped for the page (no N+1 queries).
"""
