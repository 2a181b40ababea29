"""Randomly damaged copies of files (cut short, or bytes overwritten), for tests that a layout never
fails on bad bytes with anything but a one-line UnreadableInput."""
from __future__ import annotations

import random
from collections.abc import Iterator


def damaged_copies(bases: list[bytes], count: int, seed: int, max_flips: int) -> Iterator[bytes]:
    """``count`` copies of random ``bases``: 30% cut at a random byte, the rest with up to
    ``max_flips - 1`` random bytes overwritten. Reproducible for a given ``seed``."""
    rnd = random.Random(seed)
    for _ in range(count):
        data = bytearray(rnd.choice(bases))
        i = rnd.randrange(len(data))
        if rnd.random() < 0.3:
            data = data[:i]
        else:
            for _ in range(rnd.randrange(1, max_flips)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        yield bytes(data)
