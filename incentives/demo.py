"""Demo programmes for seed_demo, created before the other apps report demo activity."""

import datetime
from decimal import Decimal

from django.utils import timezone

from incentives import services
from incentives.models import Programme
from network import demo
from network.models import Cluster, User

# officer, name, clusters, unit, budget, cap per member-month, cap per pair-month, rules:
# (kind, amount, confirmer, attendees)
PROGRAMMES = [
    (
        "valeria",
        "Mentores del Café 2026",
        ["Café de Especialidad del Huila"],
        "USD",
        "5000",
        "300",
        "150",
        [
            ("session_held", "40", "counterpart", 0),
            ("group_session", "120", "counterpart", 3),
            ("accepted_answer", "15", "counterpart", 0),
            ("useful_post", "10", "coordinator", 0),
            ("guide_published", "80", "coordinator", 0),
            ("guide_useful", "5", "counterpart", 0),
            # A graduate who mentors: their first mentee, confirmed by that follower.
            ("first_pairing", "60", "counterpart", 0),
        ],
    ),
    (
        "diego",
        "Exportá Servicios",
        ["Exportadores de Software de Montevideo"],
        "points",
        "20000",
        "1000",
        None,
        [
            ("session_held", "200", "counterpart", 0),
            ("accepted_answer", "50", "counterpart", 0),
        ],
    ),
    (
        # The Huila cluster's second sponsor: its sessions earn under Valeria's programme,
        # which sponsored first (no double funding); group sessions it rewards are hers too.
        "ines",
        "Primeros Embarques 2026",
        ["Café de Especialidad del Huila"],
        "COP",
        "150000000",
        None,
        None,
        [
            ("group_session", "400000", "counterpart", 3),
        ],
    ),
]

KINDS = {"Primeros Embarques 2026": Programme.Kind.EXPORT_CREDIT}
SHARED = {"Mentores del Café 2026"}


# First: the other apps' demo activity earns credits under these programmes.
@demo.seeder("incentives")
def seed_programmes(*, people):
    if Programme.objects.exists():
        return
    year = timezone.localdate().year
    for who, name, clusters, unit, budget, member_cap, pair_cap, rules in PROGRAMMES:
        officer = User.objects.select_related("profile__organization").get(pk=people[who].pk)
        programme = services.create_programme(
            by=officer,
            name=name,
            clusters=Cluster.objects.filter(name__in=clusters),
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year + 1, 12, 31),
            unit=unit,
            budget=Decimal(budget),
            cap_per_member_month=Decimal(member_cap) if member_cap else None,
            cap_per_pair_month=Decimal(pair_cap) if pair_cap else None,
            kind=KINDS.get(name, Programme.Kind.MENTORING),
            share_figures=name in SHARED,
        )
        for kind, amount, confirmer, attendees in rules:
            services.set_rule(
                programme=programme,
                by=officer,
                kind=kind,
                amount=Decimal(amount),
                confirmer=confirmer,
                min_attendees=attendees,
            )
