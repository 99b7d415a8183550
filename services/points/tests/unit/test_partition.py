"""How month end splits the households over N workers."""

import pytest

from plussa_points.domain.partition import Partition, PartitionError


def test_n_partitions_are_disjoint_and_together_hold_every_household() -> None:
    ids = [f"household-{i}" for i in range(5_000)]
    shares = [[h for h in ids if Partition(i, 4).holds(h)] for i in range(4)]

    assert sorted(h for share in shares for h in share) == sorted(ids)
    assert all(800 < len(share) < 1_700 for share in shares)  # a hash spreads them, not one worker doing all


def test_a_household_lands_in_the_same_partition_in_every_process() -> None:
    # CRC-32 of the id, not Python's salted hash(): a rerun in a new process takes the same share.
    assert [Partition(i, 3).holds("2f0c8d4e-5a8e-4b8f-9e0a-1c2d3e4f5a6b") for i in range(3)] == [False, True, False]


def test_the_whole_partition_holds_everything() -> None:
    assert Partition().whole
    assert Partition.parse("0/1").holds("anything")


@pytest.mark.parametrize("text", ["4/4", "-1/2", "1", "a/b", "1/0", ""])
def test_a_partition_that_is_not_i_of_n_is_refused(text: str) -> None:
    with pytest.raises(PartitionError):
        Partition.parse(text)
