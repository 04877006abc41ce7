"""Demo programmes for seed_demo, created before the other apps report demo activity."""

import datetime
from decimal import Decimal

from django.utils import timezone

from incentives import services
from incentives.models import Programme
from network import demo
from network.models import Cluster, Organization, User

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
    seed_referrals(people=people)


# The export-promotion agency refers firms of the Huila cluster to the export-credit fund's
# programme, one referral in each state: firm, how far it went, note, reason when declined.
REFERRALS = [
    (
        "Cafés Altos del Huila",
        "done",
        "Cerraron un pedido de 2 contenedores con un tostador de Hamburgo; necesitan "
        "financiar la cosecha antes del embarque.",
        "",
    ),
    (
        "Cafés Altos del Huila",
        "accepted",
        "Segundo pedido del año, ahora a Yokohama: piden de nuevo crédito de preembarque.",
        "",
    ),
    (
        "Finca La Esmeralda Verde",
        "declined",
        "Prepara su primera exportación de café orgánico; quiere saber qué garantías pedirían.",
        "Todavía no tiene un pedido en firme; vuelvan a referirla cuando lo tenga.",
    ),
    (
        "Tostadores del Macizo",
        "sent",
        "Primer pedido confirmado de café tostado para Canadá: buscan seguro de crédito "
        "a la exportación.",
        "",
    ),
]


def seed_referrals(*, people) -> None:
    referrer = User.objects.select_related("profile__organization").get(pk=people["valeria"].pk)
    answerer = User.objects.select_related("profile__organization").get(pk=people["ines"].pk)
    programme = Programme.objects.get(name="Primeros Embarques 2026")
    for firm_name, state, note, reason in REFERRALS:
        referral = services.refer_firm(
            by=referrer,
            firm=Organization.objects.get(name=firm_name),
            programme=programme,
            note=note,
        )
        if state == "declined":
            services.decline_referral(referral=referral, by=answerer, reason=reason)
        elif state in ("accepted", "done"):
            services.accept_referral(referral=referral, by=answerer)
        if state == "done":
            services.complete_referral(referral=referral, by=answerer)
