"""Rounding and display of yuan amounts (Decimal, never float), shared by the people and incentive rules."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

# Intermediate products (pay × days / days-in-year) are computed at this
# precision, far beyond what any rounding to 0.01 yuan can notice.
WORKING_PRECISION = 60


def round_money(amount: Decimal, quantum: Decimal) -> Decimal:
    """Round once, at the end of a line, to `quantum` (0.01 yuan), half up."""
    with localcontext() as ctx:
        ctx.prec = WORKING_PRECISION
        return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def exact_ratio(numerator: Decimal, denominator: int) -> Decimal:
    """`numerator / denominator` at working precision (one division, no early rounding)."""
    with localcontext() as ctx:
        ctx.prec = WORKING_PRECISION
        return numerator / Decimal(denominator)


def yuan(amount: Decimal) -> str:
    """Two-place text without exponent: Decimal("1234.5") → "1234.50"."""
    return format(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
