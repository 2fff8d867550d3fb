"""Display formatting for templates. Exports and the API keep plain numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value: object) -> object:
    """An amount in yuan with thousands separators and two decimals, as clerks read money in
    Excel: 173287.665 → "173,287.67" (half up, like the domain's rounding). Anything that is
    not a number — a mask such as "***", an empty value — is shown as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return value
    if not amount.is_finite():
        return value
    return f"{amount.quantize(Decimal('0.01'), rounding='ROUND_HALF_UP'):,.2f}"
