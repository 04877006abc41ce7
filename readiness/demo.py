"""Demo diagnostics for seed_demo: in the coffee cluster (Spanish) and the sustainable-fashion
cluster (Portuguese), enough firms have taken it (most of them twice) for the coordinators'
heatmap and the agency's change to show cells of 5 firms or more. Andrés's firm took it twice,
and its weakest dimension is logistics and customs, where Camila declared her strength."""

import datetime

from allauth.account.models import EmailAddress
from django.db.models import F
from django.utils import timezone

from network import demo
from network.models import Cluster, Membership, Organization, User
from network.services import profiles
from readiness import default_questionnaire
from readiness.models import Assessment, Choice, Question, Questionnaire
from readiness.selectors import pages_of
from readiness.services import assessments

PASSWORD = "pioneros-demo"
DOMAIN = "demo.pioneros.test"

# Levels 0-3 on the shipped scale, per dimension: most firms share a profile, a few differ.
COMMON = {
    "commitment": 2,
    "product": 2,
    "standards": 3,
    "pricing": 1,
    "logistics": 1,
    "finance": 1,
    "markets": 2,
    "digital": 0,
    "value_chains": 1,
}
AHEAD = {
    "commitment": 3,
    "product": 3,
    "standards": 2,
    "pricing": 2,
    "logistics": 2,
    "finance": 2,
    "markets": 3,
    "digital": 1,
    "value_chains": 2,
}

# cluster, key, person, firm, country, time zone, language, profile
FIRMS = [
    ("Café de Especialidad del Huila", "gloria", "Gloria Perdomo", "Café La Plata", "CO"),
    ("Café de Especialidad del Huila", "hernan", "Hernán Cuéllar", "Cafés de Pitalito", "CO"),
    ("Café de Especialidad del Huila", "marta", "Marta Losada", "Finca El Mirador", "CO"),
    ("Café de Especialidad del Huila", "oscar", "Óscar Trujillo", "Tostadora Garzón", "CO"),
    ("Café de Especialidad del Huila", "paula", "Paula Ramírez", "Cafés Acevedo", "CO"),
    ("Moda Sustentável Nordeste", "ana", "Ana Lúcia Freitas", "Bordados do Seridó", "BR"),
    ("Moda Sustentável Nordeste", "bruno", "Bruno Tavares", "Algodão Colorido PB", "BR"),
    ("Moda Sustentável Nordeste", "clara", "Clara Meireles", "Linho do Agreste", "BR"),
    ("Moda Sustentável Nordeste", "davi", "Davi Nogueira", "Tecelagem Cariri", "BR"),
    ("Moda Sustentável Nordeste", "eva", "Eva Rocha", "Ateliê Maré Alta", "BR"),
    ("Moda Sustentável Nordeste", "fabio", "Fábio Lins", "Couro Vivo Sertão", "BR"),
]
TIME_ZONES = {"CO": "America/Bogota", "BR": "America/Recife"}
LANGUAGES = {"CO": ["es"], "BR": ["pt"]}
# Demo people of the network who take it too, with their firm's levels.
MEMBERS = [
    ("andres", {**COMMON, "logistics": 0, "digital": 1}),
    ("camila", AHEAD),
    ("joao", COMMON),
]


def _person(key, name, firm_name, country, cluster) -> User:
    email = f"{key}@{DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        profile = profiles.ensure_profile(user=user)
        profiles.update_profile(
            profile=profile,
            display_name=name,
            languages=LANGUAGES[country],
            time_zone=TIME_ZONES[country],
            bio="",
            expertise=[],
        )
        firm, _created = Organization.objects.get_or_create(
            name=firm_name,
            defaults={"country": country, "size": "micro", "sector": cluster.sector},
        )
        profile.organization = firm
        profile.save(update_fields=["organization"])
    _membership, created = Membership.objects.get_or_create(
        user=user, cluster=cluster, defaults={"role": "follower", "status": "active"}
    )
    if created:
        Cluster.objects.filter(pk=cluster.pk).update(
            active_member_count=F("active_member_count") + 1
        )
    return User.objects.select_related("profile__organization").get(pk=user.pk)


def _take(user: User, levels: dict, *, days_ago: int) -> None:
    assessment = assessments.start_assessment(user=user)
    for number, page in enumerate(pages_of(assessment.questionnaire)):
        level = levels[page.dimension]
        answers = {}
        for i, question in enumerate(page.questions):
            # One question of three a step apart, so each dimension is not a round number.
            step = level - 1 if i == 2 and level > 0 else level
            answers[question.pk] = list(question.choices.all())[step].pk
        assessments.save_page(assessment=assessment, by=user, page=number, answers=answers)
    done = assessments.submit(assessment=assessment, by=user)
    Assessment.objects.filter(pk=done.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def _before(levels: dict) -> dict:
    return {code: max(level - 1, 0) for code, level in levels.items()}


@demo.seeder("readiness")
def seed_readiness(*, people):
    if Assessment.objects.exists():
        return
    # A database emptied after its migrations (by `flush`, or a test) lost the shipped one.
    default_questionnaire.install(Questionnaire, Question, Choice, now=timezone.now())
    clusters = {cluster.name: cluster for cluster in Cluster.objects.all()}
    takers = []
    for i, (cluster, key, name, firm, country) in enumerate(FIRMS):
        person = _person(key, name, firm, country, clusters[cluster])
        takers.append((person, AHEAD if i % 5 == 4 else COMMON, i % 4 != 3))
    fresh = User.objects.select_related("profile__organization")
    for key, levels in MEMBERS:
        takers.append((fresh.get(pk=people[key].pk), levels, True))
    for person, levels, twice in takers:
        if twice:
            _take(person, _before(levels), days_ago=240)
        _take(person, levels, days_ago=30)
