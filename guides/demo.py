"""Demo guides for seed_demo: published, overdue, cluster-only, and one promoted from an answer."""

import datetime

from django.utils import timezone

from forums.models import Topic
from guides import services
from guides.models import Guide
from network import demo
from network.models import Cluster

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
        "es",
        ["6913"],
        ["US"],
        ["ecommerce", "logistics"],
        "Vender cerámica por internet a Estados Unidos",
        "Cómo abrir la tienda, embalar piezas frágiles y despachar envíos pequeños sin pagar "
        "aranceles de importación por debajo del límite de minimis.",
        "## Tienda\n\nEmpieza en un mercado en línea de artesanías antes de abrir tu propia "
        "tienda.\n\n## Embalaje\n\nCaja doble, 5 cm de protección por todos los lados.\n\n"
        "## Envío\n\nLos envíos de hasta 800 dólares entraban sin aranceles; **revisa la regla "
        "vigente**, cambió.\n",
        30,
        ["tomas"],
    ),
    (
        "Frutas Frescas del Norte",
        "lucia",
        "rosa",
        "cluster",
        "es",
        ["0804"],
        ["NL", "EU27"],
        ["logistics", "standards"],
        "Cadena de frío para mangos a Róterdam",
        "Ajustes del contenedor refrigerado, preenfriado y los papeles de GlobalG.A.P. que nos "
        "pidieron los compradores de los Países Bajos en los primeros envíos.",
        "## Preenfriado\n\nLleva la pulpa a 10 °C antes de cargar; nunca apiles palés "
        "calientes.\n\n## Contenedor refrigerado\n\n10 °C, 90 % de humedad, ventilación "
        "15 m³/h.\n\n## Papeles\n\nCertificado GlobalG.A.P., certificado fitosanitario, EUR.1 "
        "o declaración de origen.\n",
        None,
        ["jorge"],
    ),
]


# Promotes a demo forum answer; its credits follow mentoring's in the demo's ledger.
@demo.seeder("guides", after=("incentives", "forums", "mentoring"))
def seed_guides(*, people):
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
