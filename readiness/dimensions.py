"""The nine dimensions of export readiness: a fixed vocabulary every questionnaire, mentor
strength, goal template and heatmap speaks. Scores run from 0 to 100 and fall in three bands,
each with a plain explanation per dimension."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LOW, MIDDLE, HIGH = "low", "middle", "high"
BANDS = (LOW, MIDDLE, HIGH)
BAND_NAMES = {LOW: _("Starting out"), MIDDLE: _("On the way"), HIGH: _("Ready")}
BAND_RANGES = {LOW: (0, 39), MIDDLE: (40, 69), HIGH: (70, 100)}
# A dimension under this score is a weak one: it gets goals, guides, sessions and mentors.
WEAK_BELOW = 70
MAX_WEAK = 3
MAX_STRONG = 2


@dataclass(frozen=True)
class Dimension:
    code: str
    name: Promise
    # Common topics (mentoring's COMMON_TOPICS, by English name) that help with it: guides and
    # sessions filed under them are suggested for it.
    topics: tuple[str, ...]
    explanations: dict[str, Promise]  # by band


DIMENSIONS = (
    Dimension(
        "commitment",
        _("Commitment and strategy"),
        ("buyer search", "trade fairs"),
        {
            LOW: _(
                "Exporting is still an idea: nobody is in charge of it yet and there is no "
                "plan or budget for it."
            ),
            MIDDLE: _(
                "The firm wants to export and has started to plan, but time and money for it "
                "are not set aside yet."
            ),
            HIGH: _(
                "Exporting is part of the firm's plan, with a person in charge, a budget and "
                "targets it follows."
            ),
        },
    ),
    Dimension(
        "product",
        _("Product adaptation"),
        ("packaging and labelling",),
        {
            LOW: _(
                "The product is sold as it is at home; what buyers abroad need has not been "
                "looked at yet."
            ),
            MIDDLE: _(
                "The firm knows some changes buyers abroad ask for (labels, sizes, packaging) "
                "and has made a few."
            ),
            HIGH: _(
                "The product, its packaging and labels can be adapted to each market's rules "
                "and tastes."
            ),
        },
    ),
    Dimension(
        "standards",
        _("Standards and certifications"),
        ("certification", "rules of origin"),
        {
            LOW: _("The certifications target markets require are not known or not held yet."),
            MIDDLE: _(
                "The firm knows which certifications it needs and is working towards some of them."
            ),
            HIGH: _(
                "The firm holds the certifications its markets ask for and keeps them up to date."
            ),
        },
    ),
    Dimension(
        "pricing",
        _("Costing and pricing (Incoterms)"),
        ("pricing",),
        {
            LOW: _(
                "Export prices are guessed from the home price; Incoterms and export costs are "
                "not clear yet."
            ),
            MIDDLE: _(
                "The firm can quote an export price for a simple case, but not yet for every "
                "Incoterm."
            ),
            HIGH: _(
                "The firm knows its export costs and quotes confidently under the Incoterms "
                "buyers ask for."
            ),
        },
    ),
    Dimension(
        "logistics",
        _("Logistics and customs"),
        ("logistics", "customs"),
        {
            LOW: _("Shipping abroad and the customs paperwork are still unknown ground."),
            MIDDLE: _(
                "The firm has shipped or knows how to, but depends on others for customs "
                "and documents."
            ),
            HIGH: _(
                "The firm plans shipments, works with a forwarder and handles customs "
                "documents without surprises."
            ),
        },
    ),
    Dimension(
        "finance",
        _("Finance and payment risk"),
        ("export finance",),
        {
            LOW: _(
                "How to get paid safely abroad, and how to finance an order, is not worked "
                "out yet."
            ),
            MIDDLE: _(
                "The firm knows the usual payment terms but has little access to export "
                "finance or insurance."
            ),
            HIGH: _(
                "The firm chooses payment terms by risk and can finance and insure its export "
                "orders."
            ),
        },
    ),
    Dimension(
        "markets",
        _("Market knowledge"),
        ("buyer search", "trade fairs"),
        {
            LOW: _("Target markets have not been chosen, or were chosen without research."),
            MIDDLE: _(
                "The firm has picked markets and knows something of their buyers, prices and "
                "rules."
            ),
            HIGH: _(
                "The firm has researched its markets, knows its competitors there and has "
                "contacts with buyers."
            ),
        },
    ),
    Dimension(
        "digital",
        _("Digital and cross-border e-commerce"),
        ("e-commerce",),
        {
            LOW: _("The firm has little presence online and does not sell online abroad."),
            MIDDLE: _(
                "The firm has a website or profiles buyers abroad can find, but sells little "
                "online."
            ),
            HIGH: _(
                "The firm sells online across borders, with payments and deliveries that "
                "work abroad."
            ),
        },
    ),
    Dimension(
        "value_chains",
        _("Readiness to supply global value chains"),
        ("certification", "logistics"),
        {
            LOW: _(
                "Supplying large buyers (volumes, deadlines, traceability, audits) is still "
                "far off."
            ),
            MIDDLE: _(
                "The firm meets some large buyers' demands, but not yet steady volumes or "
                "their audits."
            ),
            HIGH: _(
                "The firm can deliver steady volumes on time, with traceability, and pass a "
                "buyer's audit."
            ),
        },
    ),
)
BY_CODE = {dimension.code: dimension for dimension in DIMENSIONS}
CODES = tuple(BY_CODE)
CHOICES = [(dimension.code, dimension.name) for dimension in DIMENSIONS]


def band(score: int) -> str:
    return next(name for name, (low, high) in BAND_RANGES.items() if low <= score <= high)


def name(code: str) -> str:
    dimension = BY_CODE.get(code)
    return str(dimension.name) if dimension else code


def explanation(code: str, score: int) -> str:
    return str(BY_CODE[code].explanations[band(score)])
