"""How long a failed password check takes for an unknown e-mail and for a wrong
password, with the service's default argon2id parameters; the two should match.

    .venv/bin/python services/identity/benchmarks/login_timing.py [rounds]
"""

import asyncio
import statistics
import sys
import time

from plussa_identity.adapters.passwords import Hasher
from plussa_identity.settings import IdentitySettings


async def timed(hasher: Hasher, stored: str | None, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert not await hasher.verify(stored, "a wrong password 123")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main(rounds: int) -> None:
    hasher = Hasher(IdentitySettings())
    stored = await hasher.hash("kesäinen mökkiranta 42")
    for label, hashed in (("unknown e-mail", None), ("wrong password", stored)):
        samples = await timed(hasher, hashed, rounds)
        sys.stdout.write(
            f"{label:15} median {statistics.median(samples):7.1f} ms  "
            f"p90 {statistics.quantiles(samples, n=10)[-1]:7.1f} ms  ({rounds} rounds)\n"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
