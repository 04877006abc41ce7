"""Demo guides for seed_demo: published, overdue, cluster-only, and one promoted from an answer."""

import datetime

from django.dispatch import receiver
from django.utils import timezone

from forums.models import Topic
from guides import services
from guides.models import Guide
from network.models import Cluster
from network.signals import demo_network_ready

# cluster, author, reviewer, visibility, language, products, markets, topics, title, summary,
# body, days overdue (None: not yet due), readers who found it useful
GUIDES = [
    (
        "Café de Especialidad del Huila",
        "camila",
        "lucia",
        "network",
        "es",
        ["0901"],
        ["DE", "EU27"],
        ["origin", "standards"],
        "Café verde a Alemania: origen y certificados",
        "Para tostadores y fincas que envían su primer contenedor a Hamburgo: qué papeles "
        "pide el comprador y cómo probar el origen con el acuerdo UE-Colombia.",
        "## Antes de embarcar\n\n1. Regístrate en **REX** (exportador registrado) con la DIAN.\n"
        "2. Pide al comprador su lista: análisis de ocratoxina y residuos, y la ficha de "
        "calidad.\n3. Con REX, la **declaración de origen** va en la factura; no hace falta "
        "certificado de la cámara.\n\n## Costos que vimos\n\n| Trámite | Tiempo |\n|---|---|\n"
        "| Registro REX | 2 semanas |\n| Análisis de laboratorio | 5 días |\n",
        None,
        ["andres"],
    ),
    (
        "Artesanías de Oaxaca al Mundo",
        "beatriz",
        "ximena",
        "network",
        "pt",
        ["6913"],
        ["US"],
        ["ecommerce", "logistics"],
        "Vender cerâmica pela internet para os Estados Unidos",
        "Como montar a loja, embalar peças frágeis e despachar pequenos envios sem pagar "
        "impostos de importação abaixo do limite de minimis.",
        "## Loja\n\nComece num marketplace de artesanato antes da loja própria.\n\n"
        "## Embalagem\n\nCaixa dupla, 5 cm de proteção em todos os lados.\n\n"
        "## Envio\n\nEnvios de até 800 dólares entravam sem imposto; **confira a regra "
        "atual**, ela mudou.\n",
        30,
        ["tomas"],
    ),
    (
        "Frutas Frescas del Norte",
        "lucia",
        "rosa",
        "cluster",
        "en",
        ["0804"],
        ["NL", "EU27"],
        ["logistics", "standards"],
        "Cold chain for mangoes to Rotterdam",
        "Reefer settings, pre-cooling and the GlobalG.A.P. paperwork our buyers in the "
        "Netherlands asked for on the first shipments.",
        "## Pre-cooling\n\nBring pulp to 10 °C before loading; never stack warm pallets.\n\n"
        "## Reefer\n\nSet 10 °C, 90% humidity, vents 15 m³/h.\n\n## Paperwork\n\n"
        "GlobalG.A.P. certificate, phytosanitary certificate, EUR.1 or a statement on origin.\n",
        None,
        ["jorge"],
    ),
]


@receiver(demo_network_ready, dispatch_uid="guides.demo")
def seed_guides(sender, people, **kwargs):
    if Guide.objects.exists():
        return
    today = timezone.localdate()
    for row in GUIDES:
        cluster_name, author, reviewer, visibility, language, products, markets, topics = row[:8]
        title, summary, body, overdue, readers = row[8:]
        cluster = Cluster.objects.filter(name=cluster_name).first()
        if cluster is None:
            continue
        guide = services.create_guide(
            cluster_id=cluster.pk,
            by=people[author],
            title=title,
            summary=summary,
            body=body,
            language=language,
            products=products,
            markets=markets,
            topics=topics,
        )
        services.submit_for_review(guide=guide, by=people[author])
        services.publish(guide=guide, by=people[reviewer], visibility=visibility)
        guide.refresh_from_db()
        for reader in readers:
            services.mark_useful(guide=guide, by=people[reader])
        if overdue is not None:
            # Demo data only: a guide whose date has passed, so the warning can be seen.
            Guide.objects.filter(pk=guide.pk).update(
                check_by=today - datetime.timedelta(days=overdue)
            )
    question = Topic.objects.filter(title="¿Qué certificado de origen pide Alemania?").first()
    if question is not None and question.accepted_post is not None:
        services.promote_answer(post=question.accepted_post, by=people["camila"])
