"""Fees from a package's rules, with the reduction for a late decision."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from digigov.services.spec import Fee


def base_fee(fee: Fee, answers: dict[str, Any]) -> Decimal:
    if fee.fixed is not None:
        amount = Decimal(str(fee.fixed))
    else:
        units = answers.get(fee.unit_field or "") or 0
        amount = Decimal(str(fee.per_unit)) * Decimal(str(units))
    if fee.minimum is not None:
        amount = max(amount, Decimal(str(fee.minimum)))
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def started_weeks_late(days_late: int) -> int:
    return max(0, math.ceil(days_late / 7))


def fee_at_decision(fee: Fee, answers: dict[str, Any], *, days_late: int) -> Decimal:
    """PBL 12 kap. 8 a §: the fee falls by a fifth for each started week past the deadline."""
    amount = base_fee(fee, answers)
    if fee.reduction_per_started_week_late:
        share = Decimal(str(fee.reduction_per_started_week_late)) * started_weeks_late(days_late)
        amount = amount * max(Decimal(0), Decimal(1) - share)
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
