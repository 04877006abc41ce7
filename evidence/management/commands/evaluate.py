"""Print a programme's estimates, computing them here when today's data has none stored."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from evidence import computation, design, report
from incentives.selectors import programme_by_id


class Command(BaseCommand):
    help = "Print the impact estimates of a programme (as JSON with --json)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", type=int, required=True)
        parser.add_argument(
            "--comparison", choices=design.COMPARISONS, default=design.DEFAULT_COMPARISON
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, programme, comparison, json: bool = False, **options):
        found = programme_by_id(programme)
        if found is None:
            raise CommandError(f"No programme {programme}.")
        try:
            evaluation = computation.evaluate_now(programme=found, comparison=comparison)
        except DomainError as error:
            raise CommandError(error.message) from None
        if evaluation.status != evaluation.Status.DONE:
            raise CommandError("The estimate could not be computed; see the log.")
        if json:
            self.stdout.write(_json(evaluation))
        else:
            self.stdout.write(report.csv_text(evaluation))


def _json(evaluation) -> str:
    return json.dumps(
        {
            "programme": evaluation.programme_id,
            "comparison_group": evaluation.comparison,
            "data_as_of": evaluation.coverage.get("as_of"),
            "coverage": evaluation.coverage,
            "outcomes": evaluation.results,
        },
        indent=2,
    )
