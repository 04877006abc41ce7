"""How the incentive pages write a month in each language."""

import datetime

from django.test import Client
from django.utils import timezone

from tests.incentives.test_pages import report


def test_a_statement_names_its_month_as_each_language_writes_it(setting):
    report(setting, 1)  # a credited session: the mentor has a statement this month
    client = Client()
    client.force_login(setting.mentor)
    month = timezone.localdate().replace(day=1)
    url = f"/me/credits/{setting.programme.pk}/{month.year}-{month.month}/"
    months = {
        "pt-br": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
                  "setembro", "outubro", "novembro", "dezembro"],
        "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
               "septiembre", "octubre", "noviembre", "diciembre"],
    }  # fmt: skip
    for language, names in months.items():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f"{names[month.month - 1]} de {month.year}" in page, language
    english = datetime.date(2000, month.month, 1).strftime("%B")
    assert f"{english} {month.year}" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
