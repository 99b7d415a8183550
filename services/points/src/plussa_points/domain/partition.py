"""A share of the households for one of N month-end workers.

Households are split by a stable hash of their id (CRC-32, the same in every process
and Python version, unlike ``hash``), so N workers started at once close disjoint
shares that together cover every household, and a worker run again takes the same
share.
"""

import re
import zlib
from dataclasses import dataclass

PARTITION_PATTERN = r"^(\d{1,4})/(\d{1,4})$"


class PartitionError(ValueError):
    """A partition that is not ``I/N`` with 0 <= I < N."""


@dataclass(frozen=True)
class Partition:
    """Share ``index`` of ``count`` (0 <= index < count)."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise PartitionError(f"partition {self.index}/{self.count}: need 0 <= I < N")

    @classmethod
    def parse(cls, text: str) -> "Partition":
        """``"I/N"``, as an Indexed Job passes ``$(JOB_COMPLETION_INDEX)/N``."""
        match = re.match(PARTITION_PATTERN, text.strip())
        if match is None:
            raise PartitionError(f"partition {text!r}: expected I/N")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def whole(self) -> bool:
        """One worker for every household."""
        return self.count == 1

    def holds(self, household_id: str) -> bool:
        """Whether the household is in this share."""
        return self.whole or zlib.crc32(household_id.encode()) % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
