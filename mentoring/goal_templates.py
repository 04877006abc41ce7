"""The shipped goal templates, one per readiness dimension, loaded by the migration
0006_goal_templates: a goal a follower adopts into a pairing when the diagnostic finds that
dimension weak, with its first steps as milestones."""

# dimension, outcome, title, steps
TEMPLATES = [
    (
        "commitment",
        "entry",
        {
            "es": "Un plan de exportación con responsable y presupuesto",
            "pt-br": "Um plano de exportação com responsável e orçamento",
            "en": "An export plan with someone in charge and a budget",
        },
        [
            {
                "es": "Nombrar a la persona a cargo de exportar",
                "pt-br": "Nomear a pessoa responsável por exportar",
                "en": "Name the person in charge of exporting",
            },
            {
                "es": "Escribir metas y presupuesto para dos años",
                "pt-br": "Escrever metas e orçamento para dois anos",
                "en": "Write targets and a budget for two years",
            },
        ],
    ),
    (
        "product",
        "entry",
        {
            "es": "Producto, empaque y etiqueta listos para el mercado elegido",
            "pt-br": "Produto, embalagem e rótulo prontos para o mercado escolhido",
            "en": "Product, packaging and label ready for the chosen market",
        },
        [
            {
                "es": "Listar las reglas de etiquetado del mercado",
                "pt-br": "Listar as regras de rotulagem do mercado",
                "en": "List the market's labelling rules",
            },
            {
                "es": "Probar una muestra adaptada con un comprador",
                "pt-br": "Testar uma amostra adaptada com um comprador",
                "en": "Test an adapted sample with a buyer",
            },
        ],
    ),
    (
        "standards",
        "entry",
        {
            "es": "Obtener la certificación que piden los compradores",
            "pt-br": "Obter a certificação que os compradores pedem",
            "en": "Get the certification buyers ask for",
        },
        [
            {
                "es": "Identificar la certificación y su costo",
                "pt-br": "Identificar a certificação e seu custo",
                "en": "Identify the certification and its cost",
            },
            {
                "es": "Pasar la auditoría de certificación",
                "pt-br": "Passar na auditoria de certificação",
                "en": "Pass the certification audit",
            },
        ],
    ),
    (
        "pricing",
        "entry",
        {
            "es": "Una lista de precios de exportación en FOB y CIF",
            "pt-br": "Uma lista de preços de exportação em FOB e CIF",
            "en": "An export price list under FOB and CIF",
        },
        [
            {
                "es": "Calcular todos los costos hasta el puerto",
                "pt-br": "Calcular todos os custos até o porto",
                "en": "Work out every cost up to the port",
            },
            {
                "es": "Cotizar a un comprador real con dos Incoterms",
                "pt-br": "Cotar para um comprador real com dois Incoterms",
                "en": "Quote a real buyer under two Incoterms",
            },
        ],
    ),
    (
        "logistics",
        "entry",
        {
            "es": "Un primer envío con los documentos de aduana en regla",
            "pt-br": "Um primeiro embarque com os documentos aduaneiros em ordem",
            "en": "A first shipment with its customs documents in order",
        },
        [
            {
                "es": "Elegir un agente de carga",
                "pt-br": "Escolher um agente de cargas",
                "en": "Choose a freight forwarder",
            },
            {
                "es": "Preparar factura, lista de empaque y certificado de origen",
                "pt-br": "Preparar fatura, romaneio e certificado de origem",
                "en": "Prepare the invoice, packing list and certificate of origin",
            },
        ],
    ),
    (
        "finance",
        "entry",
        {
            "es": "Cobrar un pedido de exportación sin riesgo de impago",
            "pt-br": "Receber um pedido de exportação sem risco de calote",
            "en": "Get paid for an export order without the risk of non-payment",
        },
        [
            {
                "es": "Elegir la forma de pago según el comprador",
                "pt-br": "Escolher a forma de pagamento conforme o comprador",
                "en": "Choose payment terms to suit the buyer",
            },
            {
                "es": "Pedir financiamiento o seguro de crédito a la exportación",
                "pt-br": "Pedir financiamento ou seguro de crédito à exportação",
                "en": "Apply for export finance or credit insurance",
            },
        ],
    ),
    (
        "markets",
        "diversification",
        {
            "es": "Elegir un mercado nuevo con datos y contactar compradores",
            "pt-br": "Escolher um mercado novo com dados e contatar compradores",
            "en": "Choose a new market from data and reach its buyers",
        },
        [
            {
                "es": "Comparar tres mercados con datos de comercio",
                "pt-br": "Comparar três mercados com dados de comércio",
                "en": "Compare three markets with trade data",
            },
            {
                "es": "Contactar a cinco compradores del mercado elegido",
                "pt-br": "Contatar cinco compradores do mercado escolhido",
                "en": "Contact five buyers in the chosen market",
            },
        ],
    ),
    (
        "digital",
        "diversification",
        {
            "es": "Una primera venta en línea a otro país",
            "pt-br": "Uma primeira venda on-line para outro país",
            "en": "A first online sale to another country",
        },
        [
            {
                "es": "Publicar el catálogo en una plataforma internacional",
                "pt-br": "Publicar o catálogo numa plataforma internacional",
                "en": "List the catalogue on an international marketplace",
            },
            {
                "es": "Preparar el cobro y el envío al exterior",
                "pt-br": "Preparar o recebimento e o envio ao exterior",
                "en": "Set up payment and delivery abroad",
            },
        ],
    ),
    (
        "value_chains",
        "survival",
        {
            "es": "Convertirse en proveedor estable de un comprador grande",
            "pt-br": "Tornar-se fornecedor estável de um grande comprador",
            "en": "Become a steady supplier to a large buyer",
        },
        [
            {
                "es": "Registrar la trazabilidad de cada lote",
                "pt-br": "Registrar a rastreabilidade de cada lote",
                "en": "Record every batch's traceability",
            },
            {
                "es": "Prepararse para la auditoría del comprador",
                "pt-br": "Preparar-se para a auditoria do comprador",
                "en": "Get ready for the buyer's audit",
            },
        ],
    ),
]


def install(goal_template_model) -> None:
    """The shipped templates, unless there are some: the migration passes its historical
    model; tests whose database was emptied pass the real one."""
    if goal_template_model.objects.exists():
        return
    goal_template_model.objects.bulk_create(
        goal_template_model(dimension=dimension, outcome=outcome, title=title, steps=steps)
        for dimension, outcome, title, steps in TEMPLATES
    )
