"""The budget engine: one support plan and its funding lines in, one individual budget out.

>>> from adapters.budget import compute_budget  # doctest: +SKIP

See :mod:`adapters.budget.engine` for the steps and the requirement each implements.
"""

from __future__ import annotations

from adapters.budget.engine import ENGINE_VERSION, compute_budget
from adapters.budget.inputs import BudgetInputError
from adapters.budget.normalise import largest_remainder, round_half_up
from adapters.budget.rates import RateTableError

__all__ = [
    "ENGINE_VERSION",
    "BudgetInputError",
    "RateTableError",
    "compute_budget",
    "largest_remainder",
    "round_half_up",
]
