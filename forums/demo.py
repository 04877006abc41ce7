"""Demo conversations for seed_demo: a few topics in the demo clusters' forums."""

from forums import services
from forums.models import Announcement, Topic
from network import demo
from network.models import Cluster

# cluster name, asker, title, kind, tags, question, answers: (person, text), accepted index
TOPICS = [
    (
        "Café de Especialidad del Huila",
        "andres",
        "¿Qué certificado de origen pide Alemania?",
        "question",
        ["reglas de origen"],
        "Vamos a enviar nuestro primer contenedor de café verde a Hamburgo. ¿Qué certificado de "
        "origen necesitamos y quién lo expide?",
        [
            (
                "lucia",
                "Con el acuerdo UE-Colombia basta la **declaración de origen** en la factura "
                "si estás registrado en REX. @andres-molina te comparto la guía que usamos.",
            ),
            ("camila", "Nosotros lo tramitamos con la cámara de comercio; tardó una semana."),
        ],
        0,
    ),
    (
        "Café de Especialidad del Huila",
        "lucia",
        "Feria de cafés especiales en Berlín",
        "discussion",
        ["búsqueda de compradores", "ferias"],
        "¿Alguien más va a la feria de marzo? Podemos compartir stand y muestras.",
        [("camila", "¡Contá conmigo! Llevo 20 kg de muestras.")],
        None,
    ),
    (
        "Exportadores de Software de Montevideo",
        "sofia",
        "Doble tributación con clientes en España",
        "question",
        ["doble tributación"],
        "Firmamos con un cliente en Madrid. ¿Cómo evitamos la retención en origen?",
        [
            (
                "martin",
                "Uruguay tiene convenio con España: pedí el certificado de residencia "
                "fiscal a DGI y enviáselo antes de la primera factura.",
            )
        ],
        0,
    ),
    (
        "Moda Sustentável Nordeste",
        "joao",
        "Como precificar renda para exportação?",
        "question",
        ["formação de preços"],
        "Quanto devo somar ao preço de fábrica para vender em Lisboa (frete, seguro, margem)?",
        [
            (
                "beatriz",
                "Comece pelo preço FOB e some frete e seguro para chegar ao CIF; "
                "em Portugal lojas pedem margem de 2,2 vezes.",
            )
        ],
        None,
    ),
]


# cluster name, coordinator, title, message
ANNOUNCEMENTS = [
    (
        "Café de Especialidad del Huila",
        "lucia",
        "Misión comercial a Hamburgo: inscripciones abiertas",
        "La agencia organiza una misión a Hamburgo en marzo para cafés especiales.\n\n"
        "- Cupos para **seis firmas** del clúster\n"
        "- Muestras de 2 kg por firma\n\n"
        "Respondan en el foro antes del viernes si quieren participar.",
    ),
]


# Its posts earn credits under the demo programmes.
@demo.seeder("forums", after=("incentives",))
def seed_topics(*, people):
    for cluster_name, asker, title, kind, tags, body, answers, accepted in TOPICS:
        cluster = Cluster.objects.filter(name=cluster_name).first()
        if cluster is None:
            continue
        room = services.forum_of(cluster)
        if Topic.objects.filter(room=room, title=title).exists():
            continue
        topic = services.start_topic(
            room=room, author=people[asker], title=title, body=body, kind=kind, tags=tags
        )
        posts = [
            services.post_reply(topic=topic, author=people[who], body=text)
            for who, text in answers
        ]
        if accepted is not None:
            services.accept_answer(post=posts[accepted], by=people[asker])
    for cluster_name, author, title, body in ANNOUNCEMENTS:
        cluster = Cluster.objects.filter(name=cluster_name).first()
        if cluster is None or Announcement.objects.filter(cluster=cluster, title=title).exists():
            continue
        services.announce(cluster=cluster, by=people[author], title=title, body=body)
