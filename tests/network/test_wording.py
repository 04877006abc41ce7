"""What the account and network pages say in each language."""

import re

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "email"),
    [("pt-br", "E-mail"), ("es", "Correo electrónico"), ("en", "Email")],
)
def test_the_sign_in_form_labels_its_fields_in_the_page_language(client, language, email):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    labels = [
        re.sub(r"<[^>]+>|\*", "", label).strip()
        for label in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)
    ]
    assert email in labels
