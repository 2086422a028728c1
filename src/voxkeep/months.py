"""Calendar months in UTC, for statistics grouped by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from voxkeep.errors import InvalidInput

MAX_MONTHS: Final = 36  # how far back a statistic may reach in one call


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, when: datetime) -> Month:
        when = when.astimezone(UTC)
        return cls(when.year, when.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def last_months(now: datetime, count: int) -> list[Month]:
    """The ``count`` months ending with the one ``now`` falls in, oldest first."""
    if not 1 <= count <= MAX_MONTHS:
        raise InvalidInput(f"The number of months must be between 1 and {MAX_MONTHS}.")
    months = [Month.of(now)]
    while len(months) < count:
        months.append(months[-1].previous())
    months.reverse()
    return months
