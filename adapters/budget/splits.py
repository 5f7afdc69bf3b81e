"""Explicit hour splits: one support item's day paid by more than one stream (SDS-BUD-041).

No double funding (FUNDING.md rule 8): an hour of support is paid by at most one line, and a
shift paid partly by one stream and partly by another (a personal assistant's 09:00-17:00,
09:00-12:00 at work on Access to Work and 12:00-17:00 at home on Option 1) is allowed only as
explicit, non-overlapping hour splits in the plan (SDS-PLN-018). The engine then allocates such
an item as one part per split:

- each part's cost is the item's planned cost split in proportion to the split's minutes, by
  largest remainder so the parts add up to the item (SDS-BUD-010);
- only lines of the stream a split names may fund its part (a stream code also covers its
  elements: ``dwp-access-to-work`` covers ``dwp-access-to-work.support-worker``); the plan has
  attributed those hours to that stream, so its purpose restriction is met by the split;
- a split overlapping an earlier one (in order of start time) is rejected: its part is never
  funded, and ``overlapping-hour-split`` names the item;
- a line that states its ``hours_of_day`` (SDS-FND-015) funds its stream's part only when those
  hours lie inside that split; when they overlap hours split to another stream, or fall outside
  its stream's split, it is rejected for the item and ``overlapping-hour-split`` names the line
  and the item.

Parts carry ids ``<item>~<n>`` (a local id never holds ``~``, so no part can clash with an
item); :func:`whole` maps them back to their item, so allocations, funded amounts and flags are
reported per support item of the plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from fractions import Fraction

from adapters.budget.flags import Flag
from adapters.budget.inputs import HourSplit, ItemModel, LineModel
from adapters.budget.normalise import largest_remainder

__all__ = ["covers", "divide", "part_admits", "rejected_hours", "whole"]

_PART = "~"


def covers(split_source: str, line: LineModel) -> bool:
    """Whether a split naming ``split_source`` is paid by ``line``'s stream."""
    return line.source == split_source or line.source.startswith(split_source + ".")


def _kept(splits: tuple[HourSplit, ...]) -> list[tuple[HourSplit, bool]]:
    """Each split with whether it stands: one overlapping an earlier split is rejected."""
    found: list[tuple[HourSplit, bool]] = []
    for split in splits:
        clash = any(
            ok and split.start < other.stop and other.start < split.stop for other, ok in found
        )
        found.append((split, not clash))
    return found


def divide(costs: list[tuple[ItemModel, int]]) -> list[tuple[ItemModel, int]]:
    """Items with their costs, an item split by hours replaced by one part per split."""
    out: list[tuple[ItemModel, int]] = []
    for item, cost in costs:
        if not item.splits:
            out.append((item, cost))
            continue
        shares = largest_remainder(cost, [Fraction(s.stop - s.start) for s in item.splits])
        for index, ((split, ok), share) in enumerate(zip(_kept(item.splits), shares, strict=True)):
            # A rejected split is paid by no stream, so its share shows as shortfall.
            stands = split if ok else dataclasses.replace(split, source="")
            part = dataclasses.replace(
                item, id=f"{item.id}{_PART}{index}", splits=(), part=stands, part_of=item.id
            )
            out.append((part, share))
    return out


def part_admits(line: LineModel, item: ItemModel) -> bool:
    """Whether ``line`` may fund the part ``item`` of a split item (SDS-BUD-041)."""
    split = item.part
    if split is None:
        return True
    if not split.source or not covers(split.source, line):
        return False
    if line.hours is None:
        return True
    start, stop = line.hours
    return split.start <= start and stop <= split.stop


def whole(item_id: str) -> str:
    """The plan's support item id for an item or one of its parts."""
    return item_id.split(_PART, 1)[0]


def _hours_text(start: int, stop: int) -> str:
    return HourSplit(start, stop, "").text()


def rejected_hours(lines: Iterable[LineModel], items: Iterable[ItemModel]) -> Iterator[Flag]:
    """``overlapping-hour-split`` for overlapping splits and for lines whose hours clash.

    A line is judged against an item's splits when a split names its stream and their days
    meet, so that but for its hours it could fund that split's part.
    """
    split_items = [item for item in items if item.splits]
    for item in split_items:
        for split, ok in _kept(item.splits):
            if not ok:
                yield Flag(
                    "overlapping-hour-split",
                    "SDS-BUD-041",
                    "error",
                    f"the split {split.text()} paid by {split.source} overlaps an earlier split "
                    "of the same day; it is rejected and its share of the cost is not funded",
                    items=(item.id,),
                )
    for line in lines:
        if line.hours is None:
            continue
        start, stop = line.hours
        for item in split_items:
            own = [s for s, ok in _kept(item.splits) if ok and covers(s.source, line)]
            if not own or (line.span & item.span).empty:
                continue
            if any(s.start <= start and stop <= s.stop for s in own):
                continue
            others = [
                s
                for s, ok in _kept(item.splits)
                if ok and not covers(s.source, line) and s.start < stop and start < s.stop
            ]
            where = (
                "overlap hours split to " + ", ".join(f"{s.source} {s.text()}" for s in others)
                if others
                else "fall outside the hours split to its stream"
            )
            yield Flag(
                "overlapping-hour-split",
                "SDS-BUD-041",
                "error",
                f"the line pays for {_hours_text(start, stop)}, which {where}; an hour is "
                "funded by at most one stream, so the line is rejected for this item",
                (line.id,),
                (item.id,),
            )
