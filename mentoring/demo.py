"""Demo mentoring for seed_demo: offers, needs, export records, a pairing and sessions."""

import datetime

from django.utils import timezone, translation

from mentoring.models import ExportRecord, MentoringNeeds, MentorOffer, Pairing, Session
from mentoring.services import goals, invitations, offers, pairings, sessions
from network import demo
from network.models import Cluster, User

# cluster, mentor, capacity, products, markets, topics, accepts competitors, pitch
OFFERS = [
    (
        "Café de Especialidad del Huila",
        "lucia",
        3,
        ["0901"],
        ["US", "DE", "JP"],
        ["búsqueda de compradores", "financiamiento de exportaciones", "certificación"],
        True,
        "Llevo quince años vendiendo café especial a tostadores de Alemania, Japón y EE. UU.",
    ),
    (
        "Café de Especialidad del Huila",
        "camila",
        1,
        ["0901"],
        ["CA"],
        ["logística", "empaque y etiquetado"],
        False,
        "Tostamos y exportamos a Canadá desde 2022: empaques, etiquetas y envíos pequeños.",
    ),
    (
        "Frutas Frescas del Norte",
        "lucia",
        1,
        ["0901"],
        ["US", "DE"],
        ["búsqueda de compradores"],
        True,
        "",
    ),
    (
        "Exportadores de Software de Montevideo",
        "martin",
        2,
        ["8523"],
        ["US", "ES", "AR", "CL"],
        ["contratos", "financiamiento de exportaciones"],
        True,
        "Contratos, facturación y convenios de doble tributación para vender software afuera.",
    ),
    (
        "Artesanías de Oaxaca al Mundo",
        "beatriz",
        2,
        ["6204", "6109"],
        ["PT", "FR", "US"],
        ["fijación de precios", "ferias comerciales", "comercio electrónico"],
        True,
        "Ferias, precios y ventas en línea de moda artesanal para Europa y Estados Unidos.",
    ),
    (
        "Moda Sustentável Nordeste",
        "beatriz",
        2,
        ["6204", "6109"],
        ["PT", "FR", "US"],
        ["formação de preços", "feiras comerciais", "logística"],
        True,
        "Exportamos moda sustentável para Portugal e França desde 2015.",
    ),
    (
        "Cacao y Chocolate de la Costa",
        "elena",
        2,
        ["1801", "1806"],
        ["CH", "BE", "JP"],
        ["certificación", "búsqueda de compradores"],
        True,
        "",
    ),
]

# follower, products, markets, topics, languages, stage
NEEDS = [
    ("andres", ["0901"], ["DE"], ["certificación", "reglas de origen"], ["es"], "preparing"),
    ("sofia", ["8523"], ["ES", "US"], ["contratos"], ["es", "en"], "first_export"),
    ("joao", ["6204"], ["PT"], ["formação de preços", "feiras comerciais"], ["pt"], "preparing"),
    ("pablo", ["1806"], ["JP", "CH"], ["certificación"], ["es"], "exploring"),
    ("tomas", ["5702"], ["US"], ["comercio electrónico"], ["es"], "exploring"),
]

# firm, HS code, markets, first year, last year
EXPORTS = [
    ("Cafés Altos del Huila", "0901", ["US", "DE"], 2009, 2025),
    ("Cafés Altos del Huila", "0901", ["JP"], 2016, 2025),
    ("Tostadores del Macizo", "0901", ["CA"], 2022, 2025),
    ("Códice Software", "8523", ["US", "ES"], 2011, 2025),
    ("Ateliê Mandacaru", "6204", ["PT", "FR"], 2015, 2025),
    ("Cacao Fino de Manabí", "1801", ["CH", "BE"], 2012, 2025),
    # Sofía's firm exported its first year and again the next: she is invited to mentor.
    ("Nube Charrúa", "8523", ["AR"], 2024, 2025),
]


# Readiness dimensions each demo mentor declared strengths in (readiness.dimensions codes).
STRENGTHS = {
    "lucia": ["standards", "markets", "finance"],
    "camila": ["product", "logistics"],
    "martin": ["finance", "digital"],
    "beatriz": ["pricing", "markets", "digital"],
    "elena": ["standards", "value_chains"],
}


def _records(people) -> None:
    firms = {p.profile.organization.name: p for p in people.values() if p.profile.organization}
    for firm, code, markets, first, last in EXPORTS:
        person = firms.get(firm)
        if person is None:
            continue
        for year in range(first, last + 1):
            for country in markets:
                ExportRecord.objects.get_or_create(
                    organization=person.profile.organization,
                    year=year,
                    hs_code=code,
                    country=country,
                    defaults={"value_band": "lt1m" if year > first + 3 else "lt100k"},
                )


# Its credits follow the forums' in the demo's ledger.
@demo.seeder("mentoring", after=("incentives", "forums"))
def seed_mentoring(*, people):
    if MentorOffer.objects.exists():
        return
    # Fresh rows: the profiles were filled in after these users were created.
    fresh = User.objects.select_related("profile__organization").in_bulk(
        [user.pk for user in people.values()]
    )
    people = {key: fresh[user.pk] for key, user in people.items()}
    clusters = {cluster.name: cluster for cluster in Cluster.objects.all()}
    _records(people)
    offered = {}
    for cluster, who, capacity, products, markets, topics, rivals, pitch in OFFERS:
        offered[(cluster, who)] = offers.save_offer(
            user=people[who],
            cluster=clusters[cluster],
            capacity=capacity,
            products=products,
            markets=markets,
            languages=people[who].profile.languages,
            topics=topics,
            accepts_competitors=rivals,
            pitch=pitch,
        )
    for who, strengths in STRENGTHS.items():
        MentorOffer.objects.filter(user=people[who]).update(strengths=strengths)
    for who, products, markets, topics, languages, stage in NEEDS:
        if not MentoringNeeds.objects.filter(user=people[who]).exists():
            offers.save_needs(
                user=people[who],
                products=products,
                markets=markets,
                topics=topics,
                languages=languages,
                stage=stage,
            )

    # Martín already mentors Sofía: a live pairing with a goal and a session next week.
    montevideo = "Exportadores de Software de Montevideo"
    pairing = pairings.request_mentor(
        follower=people["sofia"],
        offer=offered[(montevideo, "martin")],
        message="Tenemos un primer cliente en Madrid; queremos sumar Estados Unidos.",
    )
    # Martín accepts from a page in Spanish: the conversation's opening words are his.
    with translation.override("es"):
        pairing = pairings.accept_pairing(pairing=pairing, by=people["martin"])
    goals.add_goal(
        pairing=pairing,
        by=people["martin"],
        outcome="diversification",
        title="Primer cliente en Estados Unidos",
        year=timezone.now().year + 1,
        market="US",
    )
    next_week = timezone.localtime(timezone.now() + datetime.timedelta(days=7))
    sessions.schedule_session(
        by=people["martin"],
        pairing=Pairing.objects.get(pk=pairing.pk),
        title="Contrato modelo para clientes en EE. UU.",
        local_start=next_week.replace(hour=10, minute=0, second=0, microsecond=0, tzinfo=None),
        time_zone="America/Montevideo",
        duration_minutes=60,
        online_url="https://meet.example.org/pioneros-martin-sofia",
    )
    # Their first session was ten days ago, and Sofía confirmed it: it counts as held.
    first = sessions.schedule_session(
        by=people["martin"],
        pairing=Pairing.objects.get(pk=pairing.pk),
        title="Primera reunión: el contrato con Madrid",
        local_start=next_week.replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None),
        time_zone="America/Montevideo",
        duration_minutes=60,
    )
    Session.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=10)
    )
    sessions.confirm_session(
        session=first, follower=people["sofia"], took_place=True, useful=True, rating=5
    )
    huila = clusters["Café de Especialidad del Huila"]
    workshop = sessions.schedule_session(
        by=people["lucia"],
        cluster=huila,
        title="Taller: prueba de origen para la Unión Europea",
        agenda="REX, declaración de origen en factura y errores comunes.",
        local_start=(next_week + datetime.timedelta(days=3)).replace(
            hour=15, minute=0, second=0, microsecond=0, tzinfo=None
        ),
        time_zone="America/Bogota",
        duration_minutes=90,
        place="Cámara de Comercio de Neiva",
        capacity=20,
    )
    sessions.answer_session(session=workshop, user=people["camila"], answer="yes")
    # On the diagnostic's weakest dimension in the cluster: suggested on its result page.
    sessions.schedule_session(
        by=people["lucia"],
        cluster=huila,
        title="Taller de logística y aduana: documentos del primer envío",
        agenda="Factura, lista de empaque, certificado de origen y cómo elegir agente de carga.",
        local_start=(next_week + datetime.timedelta(days=10)).replace(
            hour=15, minute=0, second=0, microsecond=0, tzinfo=None
        ),
        time_zone="America/Bogota",
        duration_minutes=90,
        place="Cámara de Comercio de Neiva",
        capacity=25,
    )
    _knowledge_chain(people, offered, huila)
    # Nube Charrúa exported in 2024 and again in 2025: Sofía is invited to mentor, and has
    # not answered yet (her mentoring page shows the invitation, pre-filled).
    invitations.invite_from_records(organization=people["sofia"].profile.organization)


def _knowledge_chain(people, offered, huila) -> None:
    """Two generations in the coffee cluster: Lucía mentored Camila in 2021, before her
    roastery's first export (2022); Camila, a mentor now, went on to mentor Andrés. Both
    pairings are over, so every place is free again."""
    year = timezone.now().year
    chain = [
        ("lucia", "camila", 2021, "Queremos exportar nuestro primer lote tostado."),
        ("camila", "andres", year - 1, "Nos interesa empezar con lotes pequeños."),
    ]
    for mentor, follower, started, message in chain:
        with translation.override("es"):
            pairing = pairings.request_mentor(
                follower=people[follower],
                offer=offered[(huila.name, mentor)],
                message=message,
            )
            pairing = pairings.accept_pairing(pairing=pairing, by=people[mentor])
            pairings.end_pairing(
                pairing=pairing,
                by=people[mentor],
                reason="Terminamos el plan de trabajo.",
                completed=True,
            )
        Pairing.objects.filter(pk=pairing.pk).update(
            started_at=timezone.make_aware(datetime.datetime(started, 3, 1, 9, 0)),
            closed_at=timezone.make_aware(datetime.datetime(started, 11, 30, 17, 0)),
        )
