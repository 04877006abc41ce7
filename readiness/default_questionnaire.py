"""The shipped questionnaire, as data: three statements per dimension, each answered on the
same four-step scale, in Spanish, Brazilian Portuguese and English. Loaded by the migration
0002_default_questionnaire; a published version never changes, so a new default is a new
migration that publishes the next version."""

TITLE = {
    "es": "Diagnóstico de preparación exportadora",
    "pt-br": "Diagnóstico de prontidão exportadora",
    "en": "Export-readiness diagnostic",
}

SCALE = [
    ({"es": "Todavía no", "pt-br": "Ainda não", "en": "Not yet"}, 0),
    ({"es": "Empezamos", "pt-br": "Começamos", "en": "We have started"}, 1),
    ({"es": "En buena parte", "pt-br": "Em boa parte", "en": "Mostly"}, 2),
    ({"es": "Sí, del todo", "pt-br": "Sim, totalmente", "en": "Yes, fully"}, 3),
]

# dimension, weight, statement
QUESTIONS = [
    (
        "commitment",
        2,
        {
            "es": "Una persona de la empresa está a cargo de exportar y tiene tiempo para ello.",
            "pt-br": "Uma pessoa da empresa é responsável por exportar e tem tempo para isso.",
            "en": "Someone in the firm is in charge of exporting and has time for it.",
        },
    ),
    (
        "commitment",
        1,
        {
            "es": "Tenemos un plan de exportación escrito, con metas para los próximos dos años.",
            "pt-br": "Temos um plano de exportação escrito, com metas para os próximos dois anos.",
            "en": "We have a written export plan with targets for the next two years.",
        },
    ),
    (
        "commitment",
        1,
        {
            "es": "Apartamos un presupuesto para exportar (viajes, ferias, muestras).",
            "pt-br": "Reservamos um orçamento para exportar (viagens, feiras, amostras).",
            "en": "We set aside a budget for exporting (travel, fairs, samples).",
        },
    ),
    (
        "product",
        1,
        {
            "es": "Sabemos qué cambios piden los compradores del exterior a nuestro producto.",
            "pt-br": "Sabemos que mudanças os compradores do exterior pedem no nosso produto.",
            "en": "We know what changes buyers abroad ask of our product.",
        },
    ),
    (
        "product",
        1,
        {
            "es": "Nuestro empaque y etiquetas cumplen las reglas del mercado de destino.",
            "pt-br": "Nossa embalagem e rótulos cumprem as regras do mercado de destino.",
            "en": "Our packaging and labels meet the target market's rules.",
        },
    ),
    (
        "product",
        1,
        {
            "es": "Podemos producir versiones adaptadas sin frenar las ventas locales.",
            "pt-br": "Conseguimos produzir versões adaptadas sem atrasar as vendas locais.",
            "en": "We can make adapted versions without holding up sales at home.",
        },
    ),
    (
        "standards",
        2,
        {
            "es": "Sabemos qué certificaciones y normas exige cada mercado que buscamos.",
            "pt-br": "Sabemos quais certificações e normas cada mercado que buscamos exige.",
            "en": "We know which certifications and standards each target market requires.",
        },
    ),
    (
        "standards",
        1,
        {
            "es": "Tenemos vigentes las certificaciones que nos piden los compradores.",
            "pt-br": "Temos em dia as certificações que os compradores nos pedem.",
            "en": "We hold the certifications our buyers ask for, and they are current.",
        },
    ),
    (
        "standards",
        1,
        {
            "es": "Sabemos demostrar el origen del producto para usar acuerdos comerciales.",
            "pt-br": "Sabemos comprovar a origem do produto para usar acordos comerciais.",
            "en": "We can prove our product's origin to use trade agreements.",
        },
    ),
    (
        "pricing",
        2,
        {
            "es": "Conocemos todos nuestros costos de exportación, hasta el puerto o el cliente.",
            "pt-br": "Conhecemos todos os nossos custos de exportação, até o porto ou o cliente.",
            "en": "We know all our export costs, up to the port or the buyer's door.",
        },
    ),
    (
        "pricing",
        1,
        {
            "es": (
                "Sabemos cotizar en FOB, CIF y otros Incoterms y qué riesgo asumimos en cada uno."
            ),
            "pt-br": (
                "Sabemos cotar em FOB, CIF e outros Incoterms e que risco assumimos em cada um."
            ),
            "en": "We can quote FOB, CIF and other Incoterms and know the risk each carries.",
        },
    ),
    (
        "pricing",
        1,
        {
            "es": "Comparamos nuestro precio con el de los competidores en el mercado de destino.",
            "pt-br": "Comparamos nosso preço com o dos concorrentes no mercado de destino.",
            "en": "We compare our price with competitors' in the target market.",
        },
    ),
    (
        "logistics",
        1,
        {
            "es": "Sabemos cómo enviar al exterior y cuánto tarda y cuesta cada opción.",
            "pt-br": "Sabemos como enviar ao exterior e quanto tempo e custo tem cada opção.",
            "en": "We know how to ship abroad and what each option takes in time and cost.",
        },
    ),
    (
        "logistics",
        2,
        {
            "es": "Preparamos los documentos de aduana (factura, lista de empaque, certificados).",
            "pt-br": "Preparamos os documentos aduaneiros (fatura, romaneio, certificados).",
            "en": "We prepare the customs documents (invoice, packing list, certificates).",
        },
    ),
    (
        "logistics",
        1,
        {
            "es": "Trabajamos con un agente de carga o de aduanas de confianza.",
            "pt-br": "Trabalhamos com um agente de cargas ou despachante de confiança.",
            "en": "We work with a freight forwarder or customs broker we trust.",
        },
    ),
    (
        "finance",
        2,
        {
            "es": (
                "Elegimos la forma de pago (anticipo, carta de crédito, cobranza) según el riesgo."
            ),
            "pt-br": (
                "Escolhemos a forma de pagamento (antecipado, "
                "carta de crédito, cobrança) pelo risco."
            ),
            "en": "We choose payment terms (advance, letter of credit, collection) by risk.",
        },
    ),
    (
        "finance",
        1,
        {
            "es": "Podemos financiar un pedido grande mientras esperamos el pago.",
            "pt-br": "Conseguimos financiar um pedido grande enquanto esperamos o pagamento.",
            "en": "We can finance a large order while we wait to be paid.",
        },
    ),
    (
        "finance",
        1,
        {
            "es": "Conocemos el seguro de crédito y la cobertura del tipo de cambio.",
            "pt-br": "Conhecemos o seguro de crédito e a proteção cambial.",
            "en": "We know about export credit insurance and currency hedging.",
        },
    ),
    (
        "markets",
        2,
        {
            "es": "Elegimos nuestros mercados de destino con datos, no solo por intuición.",
            "pt-br": "Escolhemos nossos mercados de destino com dados, não só por intuição.",
            "en": "We chose our target markets from data, not only from a hunch.",
        },
    ),
    (
        "markets",
        1,
        {
            "es": "Conocemos a los compradores, canales y competidores de esos mercados.",
            "pt-br": "Conhecemos os compradores, canais e concorrentes desses mercados.",
            "en": "We know the buyers, channels and competitors in those markets.",
        },
    ),
    (
        "markets",
        1,
        {
            "es": "Tenemos contactos con compradores o distribuidores del exterior.",
            "pt-br": "Temos contatos com compradores ou distribuidores do exterior.",
            "en": "We are in touch with buyers or distributors abroad.",
        },
    ),
    (
        "digital",
        1,
        {
            "es": "Tenemos un sitio web o catálogo en línea en el idioma de nuestros compradores.",
            "pt-br": "Temos um site ou catálogo on-line no idioma dos nossos compradores.",
            "en": "We have a website or online catalogue in our buyers' language.",
        },
    ),
    (
        "digital",
        1,
        {
            "es": "Vendemos o recibimos pedidos del exterior por internet o plataformas.",
            "pt-br": "Vendemos ou recebemos pedidos do exterior pela internet ou plataformas.",
            "en": "We sell or take orders from abroad online or through marketplaces.",
        },
    ),
    (
        "digital",
        1,
        {
            "es": "Podemos cobrar y entregar ventas en línea a otros países.",
            "pt-br": "Conseguimos receber e entregar vendas on-line para outros países.",
            "en": "We can take payment for and deliver online sales to other countries.",
        },
    ),
    (
        "value_chains",
        1,
        {
            "es": (
                "Podemos entregar volúmenes constantes en los plazos que pide un comprador grande."
            ),
            "pt-br": (
                "Conseguimos entregar volumes constantes nos prazos que um grande comprador pede."
            ),
            "en": "We can deliver steady volumes on the dates a large buyer asks for.",
        },
    ),
    (
        "value_chains",
        1,
        {
            "es": "Registramos la trazabilidad de cada lote, de la materia prima al envío.",
            "pt-br": "Registramos a rastreabilidade de cada lote, da matéria-prima ao envio.",
            "en": "We record each batch's traceability, from raw material to shipment.",
        },
    ),
    (
        "value_chains",
        2,
        {
            "es": (
                "Estamos listos para una auditoría de un comprador (calidad, social, ambiental)."
            ),
            "pt-br": (
                "Estamos prontos para uma auditoria de comprador (qualidade, social, ambiental)."
            ),
            "en": "We are ready for a buyer's audit (quality, social, environmental).",
        },
    ),
]


def install(questionnaire_model, question_model, choice_model, *, now) -> None:
    """Publish the shipped questionnaire unless a default exists: the migration passes its
    historical models; tests whose database was emptied pass the real ones."""
    if questionnaire_model.objects.filter(cluster=None, programme=None).exists():
        return
    questionnaire = questionnaire_model.objects.create(
        title=TITLE, language="es", published_at=now
    )
    for position, (dimension, weight, text) in enumerate(QUESTIONS, start=1):
        question = question_model.objects.create(
            questionnaire=questionnaire,
            dimension=dimension,
            text=text,
            position=position,
            weight=weight,
        )
        choice_model.objects.bulk_create(
            choice_model(question=question, text=label, points=points, position=i)
            for i, (label, points) in enumerate(SCALE)
        )
