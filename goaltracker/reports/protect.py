"""Keeping children unidentifiable in every aggregate a manager sees (domain.md section 5).

The cell key method, as the ONS used for Census 2021's flexible tables and the ABS uses in
TableBuilder, in pure functions (no database):

1. A row (a cell) with 1 to k-1 distinct children shows none of its values.
2. Each child has a secret record key, 0 to 255, drawn once. A cell's key is the sum of its
   children's record keys, modulo 256.
3. Every count is published as the true count plus a perturbation p from a fixed table looked up
   by the cell key, the column and the true count: the same cell always shows the same figures.
4. Percentages are computed from published counts, as whole numbers; means from sums perturbed
   with unbounded (two-sided geometric) noise, to one decimal place.

See docs/disclosure-control.md for what this protects against and what it does not.
"""

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import MappingProxyType

from goaltracker.reports.columns import (
    COUNT_COLUMNS,
    HIDDEN_COUNTS,
    KEY_RANGE,
    MEAN_BASE,
    MEANS,
    NAMES,
    PERCENTAGES,
)

MINIMUM_THRESHOLD = 5
MAXIMUM_THRESHOLD = 50

# The perturbation table's rows. Each row is 256 perturbations, one per cell key, laid out in an
# order that depends on the column and the true count. Its shape depends on how far the count may
# go down: not at all for a true 0 (a true 0 stays 0) or for children exactly at the threshold,
# one step for a count of 1 (or children one above the threshold), two steps otherwise. Every
# shape has |p| <= 2, at least half zeros and a mean of exactly 0; the largest steps are rare, so
# that two cells are seldom both perturbed by the most.
ROW_SHAPES: dict[int, dict[int, int]] = {
    0: {0: 256},
    1: {-1: 64, 0: 129, 1: 62, 2: 1},
    2: {-2: 2, -1: 62, 0: 128, 1: 62, 2: 2},
}
# Sums behind means get two-sided geometric noise: P(e) is proportional to ALPHA ** |e|. Its
# support is unbounded, so no difference of two published means pins down one rating.
ALPHA = 0.6


def _unit(*parts: object) -> float:
    """Return a fixed pseudo-random number in [0, 1) for the parts: the same parts, the same."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@lru_cache(maxsize=8192)
def table_row(column: str, count: int, room: int) -> tuple[int, ...]:
    """Return the perturbation table's row for a column and true count, one value per cell key."""
    shape = ROW_SHAPES[min(max(room, 0), 2)]
    values = [value for value, times in sorted(shape.items()) for _ in range(times)]
    order = sorted(range(KEY_RANGE), key=lambda key: _unit("ptable", column, count, key))
    row = [0] * KEY_RANGE
    for key, value in zip(order, values, strict=True):
        row[key] = value
    return tuple(row)


def perturbation(column: str, cell_key: int, count: int, floor: int = 0) -> int:
    """Return p for a count: published = count + p, never below `floor` (0, or k for children)."""
    if count <= 0:
        return 0
    return table_row(column, count, count - floor)[cell_key % KEY_RANGE]


def published_count(column: str, cell_key: int, count: int, threshold: int) -> int:
    """Return a count as published: perturbed, children of k or more never below k."""
    floor = threshold if column == "children" and count >= threshold else 0
    return count + perturbation(column, cell_key, count, floor)


def sum_noise(column: str, cell_key: int, total: int) -> int:
    """Return the fixed noise added to a sum: two-sided geometric, 0 with probability 1/4."""
    u = _unit("sum", column, cell_key % KEY_RANGE, total)
    zero = (1 - ALPHA) / (1 + ALPHA)
    if u < zero:
        return 0
    # Split the rest evenly between the two signs, then read the magnitude (1, 2, ...) from a
    # geometric distribution by inverting its distribution function.
    rest = (u - zero) / (1 - zero)
    sign = 1 if rest < 0.5 else -1
    tail = (rest % 0.5) * 2  # uniform in [0, 1)
    magnitude = 1 + int(math.floor(math.log(1 - tail) / math.log(ALPHA)))
    return sign * magnitude


def whole_percentage(numerator: int, denominator: int) -> int:
    """Return 100 * numerator / denominator as a whole number, rounded half up, within 0-100."""
    value = Decimal(100 * numerator) / Decimal(denominator)
    return max(0, min(100, int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))))


def one_decimal(value: float, low: int, high: int) -> float:
    """Return a mean to one decimal place (halves away from zero), kept within its scale."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(max(Decimal(low), min(Decimal(high), rounded)))


@dataclass(frozen=True)
class Shown:
    """A row's values as they may be shown: hidden values are None and named in `suppressed`."""

    values: Mapping[str, int | float | None]
    suppressed: tuple[str, ...]


def cell_key(record_keys: int) -> int:
    """Return a cell's key from the sum of its children's record keys."""
    return record_keys % KEY_RANGE


def protect(sums: Mapping[str, int], threshold: int) -> Shown:
    """Return a row's published values from its true counts and sums (domain.md section 5)."""
    children = sums["children"]
    if 0 < children < threshold:
        # Every value is hidden, even those that would not apply: saying which do not apply
        # would tell that nothing was reassessed, or that no goal is active.
        return Shown(MappingProxyType(dict.fromkeys(NAMES)), NAMES)
    key = cell_key(sums["record_keys"])
    counts = {
        name: published_count(name, key, sums[name], threshold)
        for name in (*COUNT_COLUMNS, *HIDDEN_COUNTS)
    }
    values: dict[str, int | float | None] = {name: counts[name] for name in COUNT_COLUMNS}
    suppressed = []
    for name, (numerator, denominator) in PERCENTAGES.items():
        if sums[denominator] == 0:
            values[name] = None
        elif sums[denominator] < threshold:
            values[name] = None
            suppressed.append(name)
        else:
            values[name] = whole_percentage(counts[numerator], counts[denominator])
    reassessed = sums[MEAN_BASE]
    for name, (parts, (low, high)) in MEANS.items():
        if reassessed == 0:
            values[name] = None
        elif reassessed < threshold:
            values[name] = None
            suppressed.append(name)
        else:
            total = sum(
                sign * (sums[part] + sum_noise(part, key, sums[part])) for part, sign in parts
            )
            values[name] = one_decimal(total / counts[MEAN_BASE], low, high)
    ordered = {name: values[name] for name in NAMES}
    return Shown(MappingProxyType(ordered), tuple(sorted(suppressed)))


def exact(sums: Mapping[str, int]) -> Shown:
    """Return a row's true values at full precision: for `outcomes-report --exact` only."""
    values: dict[str, int | float | None] = {name: sums[name] for name in COUNT_COLUMNS}
    for name, (numerator, denominator) in PERCENTAGES.items():
        values[name] = 100 * sums[numerator] / sums[denominator] if sums[denominator] else None
    reassessed = sums[MEAN_BASE]
    for name, (parts, _range) in MEANS.items():
        total = sum(sign * sums[part] for part, sign in parts)
        values[name] = total / reassessed if reassessed else None
    ordered = {name: values[name] for name in NAMES}
    return Shown(MappingProxyType(ordered), ())
