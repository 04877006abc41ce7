"""Tax ids of firms: each scheme normalised and its check digits validated by python-stdnum."""

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.ar import cuit
from stdnum.br import cnpj
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.mx import rfc
from stdnum.pe import ruc

MAX_LENGTH = 32


class Scheme(models.TextChoices):
    RUC = "RUC", _("RUC (Peru)")
    NIT = "NIT", _("NIT (Colombia)")
    RUT = "RUT", _("RUT (Chile)")
    CNPJ = "CNPJ", _("CNPJ (Brazil)")
    RFC = "RFC", _("RFC (Mexico)")
    CUIT = "CUIT", _("CUIT (Argentina)")
    OTHER = "other", _("Other")


# RUC is Peru's: Ecuador's and Paraguay's share the name but not the check digit; their
# firms go under "other" until an agency of theirs joins.
_VALIDATORS = {
    Scheme.RUC: ruc,
    Scheme.NIT: nit,
    Scheme.RUT: rut,
    Scheme.CNPJ: cnpj,
    Scheme.RFC: rfc,
    Scheme.CUIT: cuit,
}


class InvalidTaxId(ValueError):
    """The reason a tax id is refused, in words an officer or a firm can act on.

    Kept as the untranslated message, so that a reason stored by a background worker is
    shown later in the reader's language.
    """

    def __init__(self, msgid: str):
        super().__init__(msgid)
        self.msgid = msgid

    @property
    def message(self) -> str:
        return gettext(self.msgid)


def parse_scheme(value: str) -> str:
    """The scheme's code, whatever its case; InvalidTaxId for one we do not know."""
    cleaned = (value or "").strip()
    for scheme in Scheme:
        if cleaned.upper() == scheme.value.upper():
            return scheme.value
    raise InvalidTaxId(
        gettext_noop("Unknown scheme: use RUC, NIT, RUT, CNPJ, RFC, CUIT or other.")
    )


def normalise(*, scheme: str, value: str) -> str:
    """The tax id in its compact form (no dots, dashes or spaces), its check digit verified."""
    scheme = parse_scheme(scheme)
    raw = (value or "").strip()
    if not raw:
        raise InvalidTaxId(gettext_noop("The tax id is missing."))
    if len(raw) > MAX_LENGTH:
        raise InvalidTaxId(gettext_noop("The tax id is too long."))
    module = _VALIDATORS.get(scheme)
    if module is None:
        compact = "".join(ch for ch in raw.upper() if ch.isalnum())
        if not compact:
            raise InvalidTaxId(gettext_noop("The tax id has no letters or digits."))
        return compact
    try:
        return module.validate(raw)
    except stdnum_errors.InvalidChecksum:
        raise InvalidTaxId(gettext_noop("The check digit does not match the number.")) from None
    except stdnum_errors.InvalidLength:
        raise InvalidTaxId(gettext_noop("The tax id has the wrong number of digits.")) from None
    except stdnum_errors.ValidationError:
        raise InvalidTaxId(gettext_noop("The tax id is not in this scheme's format.")) from None
