"""Load a demo network of invented clusters, agencies, firms and people; safe to run again."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import slugify

from network import services, sponsorships
from network.models import (
    Cluster,
    ExportMarket,
    ExportProduct,
    Membership,
    Organization,
    Sponsorship,
    User,
)
from network.signals import demo_network_ready

PASSWORD = "pioneros-demo"
DOMAIN = "demo.pioneros.test"

AGENCIES = [
    ("Agencia Andina de Exportaciones", "CO"),
    ("Promotora Rioplatense de Comercio Exterior", "UY"),
    ("Agência Atlântica de Exportação", "BR"),
]

# name, kind, country, size, sector, first export year, exported HS, planned HS, markets
FIRMS = {
    "Cafés Altos del Huila": (
        "CO",
        "small",
        "agrifood",
        2009,
        ["0901"],
        ["2101"],
        ["US", "DE", "JP"],
    ),
    "Finca La Esmeralda Verde": ("CO", "micro", "agrifood", None, [], ["0901"], []),
    "Tostadores del Macizo": ("CO", "micro", "agrifood", 2022, ["0901"], [], ["CA"]),
    "Códice Software": (
        "UY",
        "medium",
        "technology",
        2011,
        ["8523"],
        [],
        ["US", "ES", "AR", "CL"],
    ),
    "Nube Charrúa": ("UY", "small", "technology", None, [], ["8523"], []),
    "Agroexportadora Piura Sol": (
        "PE",
        "medium",
        "agrifood",
        2005,
        ["0804", "0810"],
        [],
        ["NL", "US", "GB", "CN"],
    ),
    "Mangos del Chira": ("PE", "micro", "agrifood", None, [], ["0804"], []),
    "Ateliê Mandacaru": (
        "BR",
        "small",
        "textiles",
        2015,
        ["6204", "6109"],
        [],
        ["PT", "FR", "US"],
    ),
    "Rendas de Caruaru": ("BR", "micro", "textiles", None, [], ["6204"], []),
    "Cacao Fino de Manabí": (
        "EC",
        "small",
        "agrifood",
        2012,
        ["1801", "1806"],
        [],
        ["CH", "BE", "JP"],
    ),
    "Chocolates Montubio": ("EC", "micro", "agrifood", None, [], ["1806"], []),
    "Barro Negro Oaxaqueño": ("MX", "micro", "creative", 2018, ["6913"], [], ["US", "CA"]),
    "Textiles Zapotecos": ("MX", "micro", "creative", None, [], ["5702"], []),
}

# email local part, display name, firm (or agency), languages, time zone, tags
PEOPLE = [
    (
        "lucia",
        "Lucía Restrepo",
        "Cafés Altos del Huila",
        ["es", "en"],
        "America/Bogota",
        ["specialty coffee", "buyer search", "export finance"],
    ),
    (
        "andres",
        "Andrés Molina",
        "Finca La Esmeralda Verde",
        ["es"],
        "America/Bogota",
        ["organic certification"],
    ),
    ("camila", "Camila Ortiz", "Tostadores del Macizo", ["es"], "America/Bogota", ["roasting"]),
    (
        "valeria",
        "Valeria Gómez",
        "Agencia Andina de Exportaciones",
        ["es", "en"],
        "America/Bogota",
        ["trade promotion"],
    ),
    (
        "martin",
        "Martín Pereira",
        "Códice Software",
        ["es", "en", "pt"],
        "America/Montevideo",
        ["services export", "tax treaties", "contracts"],
    ),
    ("sofia", "Sofía Acosta", "Nube Charrúa", ["es", "en"], "America/Montevideo", ["saas"]),
    (
        "diego",
        "Diego Fernández",
        "Promotora Rioplatense de Comercio Exterior",
        ["es"],
        "America/Montevideo",
        ["trade promotion"],
    ),
    (
        "rosa",
        "Rosa Huamán",
        "Agroexportadora Piura Sol",
        ["es", "en"],
        "America/Lima",
        ["cold chain", "globalgap", "rules of origin"],
    ),
    ("jorge", "Jorge Castillo", "Mangos del Chira", ["es"], "America/Lima", ["phytosanitary"]),
    (
        "beatriz",
        "Beatriz Nascimento",
        "Ateliê Mandacaru",
        ["pt", "es", "en"],
        "America/Recife",
        ["fashion fairs", "logistics", "pricing"],
    ),
    ("joao", "João Carvalho", "Rendas de Caruaru", ["pt"], "America/Recife", ["handmade lace"]),
    (
        "marcos",
        "Marcos Teixeira",
        "Agência Atlântica de Exportação",
        ["pt", "en"],
        "America/Sao_Paulo",
        ["trade promotion"],
    ),
    (
        "elena",
        "Elena Zambrano",
        "Cacao Fino de Manabí",
        ["es", "en", "fr"],
        "America/Guayaquil",
        ["fine cacao", "certification", "buyer search"],
    ),
    ("pablo", "Pablo Intriago", "Chocolates Montubio", ["es"], "America/Guayaquil", ["chocolate"]),
    (
        "ximena",
        "Ximena Ruiz",
        "Barro Negro Oaxaqueño",
        ["es", "en"],
        "America/Mexico_City",
        ["e-commerce export", "packaging"],
    ),
    (
        "tomas",
        "Tomás Hernández",
        "Textiles Zapotecos",
        ["es"],
        "America/Mexico_City",
        ["natural dyes"],
    ),
]

# name, sector, country, region, visibility, sponsor, description, members: (person, role, status)
CLUSTERS = [
    (
        "Café de Especialidad del Huila",
        "agrifood",
        "CO",
        "Huila",
        "public",
        "Agencia Andina de Exportaciones",
        "Growers and roasters of the Huila highlands taking specialty coffee to new markets.",
        [
            ("lucia", "coordinator", "active"),
            ("camila", "mentor", "active"),
            ("andres", "follower", "active"),
            ("valeria", "observer", "active"),
            ("jorge", "follower", "requested"),
        ],
    ),
    (
        "Software Export Hub Montevideo",
        "technology",
        "UY",
        "Montevideo",
        "public",
        "Promotora Rioplatense de Comercio Exterior",
        "Uruguayan software firms sharing how to sell services abroad.",
        [
            ("martin", "coordinator", "active"),
            ("sofia", "follower", "active"),
            ("diego", "observer", "active"),
        ],
    ),
    (
        "Frutas Frescas del Norte",
        "agrifood",
        "PE",
        "Piura",
        "private",
        None,
        "Fresh fruit exporters of northern Peru: cold chain, certifications, buyers.",
        [
            ("rosa", "coordinator", "active"),
            ("jorge", "follower", "active"),
            ("lucia", "mentor", "active"),
        ],
    ),
    (
        "Moda Sustentável Nordeste",
        "textiles",
        "BR",
        "Pernambuco",
        "public",
        "Agência Atlântica de Exportação",
        "Ateliês do Nordeste levando moda sustentável para o mundo.",
        [
            ("beatriz", "coordinator", "active"),
            ("joao", "follower", "active"),
            ("marcos", "observer", "active"),
        ],
    ),
    (
        "Cacao y Chocolate de la Costa",
        "agrifood",
        "EC",
        "Manabí",
        "private",
        None,
        "Fine-aroma cacao producers and chocolate makers of coastal Ecuador.",
        [("elena", "coordinator", "active"), ("pablo", "follower", "active")],
    ),
    (
        "Artesanías de Oaxaca al Mundo",
        "creative",
        "MX",
        "Oaxaca",
        "public",
        None,
        "Oaxacan artisans learning to export crafts directly to buyers.",
        [
            ("ximena", "coordinator", "active"),
            ("tomas", "follower", "active"),
            ("beatriz", "mentor", "active"),
        ],
    ),
]


class Command(BaseCommand):
    help = (
        "Load the invented demo network (idempotent). Every demo account's password: " + PASSWORD
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any cluster already exists."
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if options["if_empty"] and Cluster.objects.exists():
            self.stdout.write("Clusters exist already; demo data not loaded again.")
            return
        organizations = self._organizations()
        people = self._people(organizations)
        for name, sector, country, region, visibility, _sponsor, description, members in CLUSTERS:
            cluster = Cluster.objects.filter(name=name).first()
            if cluster is None:
                cluster = services.create_cluster(
                    creator=people[members[0][0]],
                    name=name,
                    sector=sector,
                    country=country,
                    region=region,
                    description=description,
                    visibility=visibility,
                )
                # The demo's addresses are printed in the README and walked by the journeys.
                cluster.slug = slugify(name)
                cluster.save(update_fields=["slug"])
            for key, role, status in members:
                Membership.objects.update_or_create(
                    user=people[key], cluster=cluster, defaults={"role": role, "status": status}
                )
        self._sponsorships(organizations, people)
        # Memberships were written directly above, so bring the kept counters in step.
        for cluster in Cluster.objects.annotate(
            active=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE))
        ):
            if cluster.active_member_count != cluster.active:
                Cluster.objects.filter(pk=cluster.pk).update(active_member_count=cluster.active)
        demo_network_ready.send(sender=self.__class__, people=people)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(CLUSTERS)} clusters, {len(PEOPLE)} people. "
                f"Sign in as lucia@{DOMAIN} (or any other) with password {PASSWORD!r}."
            )
        )

    def _sponsorships(self, organizations, people) -> None:
        """The coordinator asks the agency, one of its officers accepts: as people do it."""
        for name, *_fields, sponsor, _description, members in CLUSTERS:
            if sponsor is None:
                continue
            cluster = Cluster.objects.get(name=name)
            agency = organizations[sponsor]
            if Sponsorship.objects.filter(cluster=cluster, agency=agency).exists():
                continue
            officer = sponsorships.officers_of(agency)[0]
            sponsorships.accept_sponsorship(
                sponsorship=sponsorships.request_sponsorship(
                    cluster=cluster, agency=agency, by=people[members[0][0]]
                ),
                by=officer,
            )

    def _organizations(self) -> dict[str, Organization]:
        result = {}
        for name, country in AGENCIES:
            result[name], _ = Organization.objects.get_or_create(
                name=name, defaults={"kind": Organization.Kind.AGENCY, "country": country}
            )
        for name, (country, size, sector, year, exported, planned, markets) in FIRMS.items():
            firm, created = Organization.objects.get_or_create(
                name=name,
                defaults={
                    "country": country,
                    "size": size,
                    "sector": sector,
                    "first_export_year": year,
                },
            )
            if created:
                ExportProduct.objects.bulk_create(
                    [ExportProduct(organization=firm, hs_code=code) for code in exported]
                    + [
                        ExportProduct(organization=firm, hs_code=code, status="planned")
                        for code in planned
                    ]
                )
                ExportMarket.objects.bulk_create(
                    [ExportMarket(organization=firm, country=market) for market in markets]
                )
            result[name] = firm
        return result

    def _people(self, organizations) -> dict[str, User]:
        result = {}
        for key, name, organization, languages, time_zone, tags in PEOPLE:
            email = f"{key}@{DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=PASSWORD)
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                profile = services.ensure_profile(user=user)
                services.update_profile(
                    profile=profile,
                    display_name=name,
                    languages=languages,
                    time_zone=time_zone,
                    bio="",
                    expertise=tags,
                )
                profile.organization = organizations[organization]
                profile.save(update_fields=["organization"])
            result[key] = user
        return result
