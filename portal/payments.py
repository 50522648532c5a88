"""The test payment provider: the stand-in for a real gateway (VNPay, the
national portal's payment platform) in development and the demo.

As with a real gateway, the site hands the citizen a signed checkout order
(dossier and amount) and the gateway's page confirms or cancels it; a
confirmed order is recorded with ``workflow.services.pay_fee``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from workflow.models import Dossier

PROVIDER = "test"
_SALT = "portal.payments.test"
# A checkout order is valid for half an hour, as at most gateways.
MAX_AGE_SECONDS = 30 * 60


@dataclass(frozen=True)
class Checkout:
    dossier_code: str
    amount_vnd: int


def checkout_token(dossier: Dossier) -> str:
    """A signed order to pay the dossier's fee."""
    return signing.dumps({"d": dossier.code, "a": dossier.fee_vnd}, salt=_SALT)


def read_checkout(token: str) -> Checkout | None:
    """The order in ``token``, or None if it is forged or expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return Checkout(dossier_code=data["d"], amount_vnd=int(data["a"]))
