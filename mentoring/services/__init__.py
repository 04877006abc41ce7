"""Every change to mentoring's rows, one module per thing that changes:

    offers       a mentor's offer and a follower's needs
    suggestions  mentors shown to a follower, holding places while shown
    pairings     requests, proposals, acceptance, the end of a pairing
    cohorts      a coordinator's draft published as proposals
    sessions     scheduling, answers, attendance, confirmation, reminders
    goals        goals and milestones, met by export records
    exports      a firm's export records
    calendars    each member's private calendar address
    erasure      what an erased member leaves behind

Each takes keyword arguments, runs in one transaction and refuses with core.errors.
"""
