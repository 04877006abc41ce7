"""Load a demo network of invented clusters, agencies, firms and people; safe to run again."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import slugify

from network import demo, selectors
from network.models import (
    Cluster,
    ExportMarket,
    ExportProduct,
    Membership,
    Organization,
    Sponsorship,
    User,
)
from network.services import clusters, memberships, profiles, sponsorships

PASSWORD = "pioneros-demo"
DOMAIN = "demo.pioneros.test"

AGENCIES = [
    ("Agencia Andina de Exportaciones", "CO"),
    ("Promotora Rioplatense de Comercio Exterior", "UY"),
    ("Agência Atlântica de Exportação", "BR"),
    ("Fondo Colombiano de Crédito Exportador", "CO"),
]

# A cluster with a second sponsor, which joined after the first: several agencies, one network.
CO_SPONSORS = [("Café de Especialidad del Huila", "Fondo Colombiano de Crédito Exportador")]

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
        ["café especial", "búsqueda de compradores", "financiamiento de exportaciones"],
    ),
    (
        "andres",
        "Andrés Molina",
        "Finca La Esmeralda Verde",
        ["es"],
        "America/Bogota",
        ["certificación orgánica"],
    ),
    ("camila", "Camila Ortiz", "Tostadores del Macizo", ["es"], "America/Bogota", ["tostión"]),
    (
        "valeria",
        "Valeria Gómez",
        "Agencia Andina de Exportaciones",
        ["es", "en"],
        "America/Bogota",
        ["promoción comercial"],
    ),
    (
        "martin",
        "Martín Pereira",
        "Códice Software",
        ["es", "en", "pt"],
        "America/Montevideo",
        ["exportación de servicios", "doble tributación", "contratos"],
    ),
    (
        "sofia",
        "Sofía Acosta",
        "Nube Charrúa",
        ["es", "en"],
        "America/Montevideo",
        ["software como servicio"],
    ),
    (
        "diego",
        "Diego Fernández",
        "Promotora Rioplatense de Comercio Exterior",
        ["es"],
        "America/Montevideo",
        ["promoción comercial"],
    ),
    (
        "rosa",
        "Rosa Huamán",
        "Agroexportadora Piura Sol",
        ["es", "en"],
        "America/Lima",
        ["cadena de frío", "globalg.a.p.", "reglas de origen"],
    ),
    (
        "jorge",
        "Jorge Castillo",
        "Mangos del Chira",
        ["es"],
        "America/Lima",
        ["requisitos fitosanitarios"],
    ),
    (
        "beatriz",
        "Beatriz Nascimento",
        "Ateliê Mandacaru",
        ["pt", "es", "en"],
        "America/Recife",
        ["feiras de moda", "logística", "formação de preços"],
    ),
    ("joao", "João Carvalho", "Rendas de Caruaru", ["pt"], "America/Recife", ["renda artesanal"]),
    (
        "ines",
        "Inés Salazar",
        "Fondo Colombiano de Crédito Exportador",
        ["es", "en"],
        "America/Bogota",
        ["crédito a la exportación"],
    ),
    (
        "marcos",
        "Marcos Teixeira",
        "Agência Atlântica de Exportação",
        ["pt", "en"],
        "America/Sao_Paulo",
        ["promoção comercial"],
    ),
    (
        "elena",
        "Elena Zambrano",
        "Cacao Fino de Manabí",
        ["es", "en", "fr"],
        "America/Guayaquil",
        ["cacao fino", "certificación", "búsqueda de compradores"],
    ),
    ("pablo", "Pablo Intriago", "Chocolates Montubio", ["es"], "America/Guayaquil", ["chocolate"]),
    (
        "ximena",
        "Ximena Ruiz",
        "Barro Negro Oaxaqueño",
        ["es", "en"],
        "America/Mexico_City",
        ["exportación por comercio electrónico", "empaque"],
    ),
    (
        "tomas",
        "Tomás Hernández",
        "Textiles Zapotecos",
        ["es"],
        "America/Mexico_City",
        ["tintes naturales"],
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
        "Caficultores y tostadores de las montañas del Huila que llevan café especial a nuevos "
        "mercados.",
        [
            ("lucia", "coordinator", "active"),
            ("camila", "mentor", "active"),
            ("andres", "follower", "active"),
            ("valeria", "observer", "active"),
            ("jorge", "follower", "requested"),
        ],
    ),
    (
        "Exportadores de Software de Montevideo",
        "technology",
        "UY",
        "Montevideo",
        "public",
        "Promotora Rioplatense de Comercio Exterior",
        "Empresas uruguayas de software que comparten cómo vender servicios en el exterior.",
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
        "Exportadores de fruta fresca del norte del Perú: cadena de frío, certificaciones, "
        "compradores.",
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
        "Productores de cacao fino de aroma y chocolateros de la costa ecuatoriana.",
        [("elena", "coordinator", "active"), ("pablo", "follower", "active")],
    ),
    (
        "Artesanías de Oaxaca al Mundo",
        "creative",
        "MX",
        "Oaxaca",
        "public",
        None,
        "Artesanos oaxaqueños que aprenden a exportar sus artesanías directo a los compradores.",
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
                cluster = clusters.create_cluster(
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
                self._place(people[key], cluster, role=role, status=status)
        self._sponsorships(organizations, people)
        # Memberships were created directly above, so bring the kept counters in step.
        for cluster in Cluster.objects.annotate(
            active=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE))
        ):
            if cluster.active_member_count != cluster.active:
                Cluster.objects.filter(pk=cluster.pk).update(active_member_count=cluster.active)
        demo.seed_all(people=people)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(CLUSTERS)} clusters, {len(PEOPLE)} people. "
                f"Sign in as lucia@{DOMAIN} (or any other) with password {PASSWORD!r}."
            )
        )

    def _place(self, user: User, cluster: Cluster, *, role: str, status: str) -> None:
        """The member where the demo puts them; a change to a kept membership goes through
        the service step, so what ends a membership ends everything it gave."""
        membership, created = Membership.objects.get_or_create(
            user=user, cluster=cluster, defaults={"role": role, "status": status}
        )
        if not created and (membership.role, membership.status) != (role, status):
            memberships.set_status(membership, status, role=role)

    def _sponsorships(self, organizations, people) -> None:
        """The coordinator asks the agency, one of its officers accepts: as people do it."""
        main = [(name, sponsor, members) for name, *_f, sponsor, _d, members in CLUSTERS]
        members_of = {name: members for name, _sponsor, members in main}
        later = [(name, sponsor, members_of[name]) for name, sponsor in CO_SPONSORS]
        for name, sponsor, members in main + later:
            if sponsor is None:
                continue
            cluster = Cluster.objects.get(name=name)
            agency = organizations[sponsor]
            if Sponsorship.objects.filter(cluster=cluster, agency=agency).exists():
                continue
            officer = selectors.officers_of(agency).first()
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
                profile = profiles.ensure_profile(user=user)
                profiles.update_profile(
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
