"""Drawing samples, as plain functions: how many to ask for a margin of error, how to allocate them to strata, and
a seeded stratified draw that reads the frame once with memory bounded by the sample, not the frame.

- Sample size for a proportion at confidence c with margin m: n₀ = z² p (1 − p) ÷ m² × deff (p = 0.5 unless
  known), with the finite-population correction n = n₀ ÷ (1 + (n₀ − 1) ÷ N).
- Allocation: proportional (n_h = n × N_h ÷ N, rounded by largest remainder, at most N_h, at least one where the
  stratum has anyone) or equal (n ÷ H each, at most N_h; what a small stratum cannot take goes to the others).
- The draw gives every unit a key and takes in each stratum the n_h units with the smallest keys (ties by id):
  for any id, the MD5 of "seed:id" in hex; for integer ids, PostgreSQL's own hashint8extended(id, seed) (Bob
  Jenkins' lookup3, written out in `int_key`), so PostgreSQL can draw a million-row frame itself with one
  window query and anyone can redraw it here. Neither key is a secret; the seed is drawn when the sample is,
  so no one can arrange ids to be drawn: a simple random sample without replacement in each stratum,
  the same for the same seed whatever order the frame is read in, and needing only a heap of n_h + r per
  stratum. The next r keys of a stratum are its replacements, in order. The seed is recorded, so anyone can
  redraw the sample from the frame and check it.
"""

import hashlib
import heapq
import math
from collections.abc import Iterable
from statistics import NormalDist


def z_value(confidence: float) -> float:
    if not 0.5 <= confidence < 1:
        raise ValueError("confidence is a share between 0.5 and 1")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def sample_size(margin: float, confidence: float = 0.95, population: int | None = None, p: float = 0.5, deff: float = 1.0) -> int:
    """The respondents needed for a proportion's margin of error `margin` (0.05 for ±5%)."""
    if not 0 < margin < 1:
        raise ValueError("the margin of error is a share between 0 and 1")
    z = z_value(confidence)
    n0 = z * z * p * (1 - p) / (margin * margin) * deff
    if population:
        n0 = n0 / (1 + (n0 - 1) / population)
    return math.ceil(n0 - 1e-9)


def margin_of(n: int, confidence: float = 0.95, population: int | None = None, p: float = 0.5, deff: float = 1.0) -> float:
    """The margin of error `n` respondents give (the inverse of sample_size)."""
    if n <= 0:
        return 1.0
    fpc = (population - n) / (population - 1) if population and population > 1 else 1.0
    return z_value(confidence) * math.sqrt(max(fpc, 0.0) * p * (1 - p) * deff / n)


def _largest_remainder(total: int, shares: dict, caps: dict) -> dict:
    exact = {h: total * s for h, s in shares.items()}
    found = {h: min(caps[h], math.floor(v)) for h, v in exact.items()}
    order = sorted(exact, key=lambda h: (-(exact[h] - math.floor(exact[h])), str(h)))
    left = total - sum(found.values())
    while left > 0:
        open_ = [h for h in order if found[h] < caps[h]]
        if not open_:
            break
        for h in open_[:left]:
            found[h] += 1
        left = total - sum(found.values())
    return found


def allocate(n: int, sizes: dict, method: str = "proportional") -> dict:
    """{stratum: n_h} for `n` over strata of `sizes` ({stratum: N_h}); a ValueError when n exceeds the frame."""
    total = sum(sizes.values())
    if n > total:
        raise ValueError(f"the sample ({n}) is larger than the frame ({total})")
    caps = dict(sizes)
    if method == "equal":
        found = {h: 0 for h in sizes}
        left = n
        while left > 0:
            open_ = sorted((h for h in sizes if found[h] < caps[h]), key=lambda h: (caps[h] - found[h], str(h)))
            each, extra = divmod(left, len(open_))
            for i, h in enumerate(open_):
                take = min(caps[h] - found[h], each + (1 if i >= len(open_) - extra else 0))
                found[h] += take
            left = n - sum(found.values())
        return found
    if method != "proportional":
        raise ValueError("allocation is proportional or equal")
    found = _largest_remainder(n, {h: N / total for h, N in sizes.items()}, caps)
    for h, size in sizes.items():  # every stratum with anyone in it is asked
        if size and not found[h] and n >= len([s for s in sizes.values() if s]):
            donor = max(found, key=lambda k: (found[k], str(k)))
            found[donor] -= 1
            found[h] = 1
    return found


def unit_key(seed: str, unit_id) -> str:
    return hashlib.md5(f"{seed}:{unit_id}".encode()).hexdigest()


MASK = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    """lookup3's mix(a, b, c), statement for statement."""
    a = (a - c) & MASK
    a ^= _rot(c, 4)
    c = (c + b) & MASK
    b = (b - a) & MASK
    b ^= _rot(a, 6)
    a = (a + c) & MASK
    c = (c - b) & MASK
    c ^= _rot(b, 8)
    b = (b + a) & MASK
    a = (a - c) & MASK
    a ^= _rot(c, 16)
    c = (c + b) & MASK
    b = (b - a) & MASK
    b ^= _rot(a, 19)
    a = (a + c) & MASK
    c = (c - b) & MASK
    c ^= _rot(b, 4)
    b = (b + a) & MASK
    return a, b, c


def _final(a: int, b: int, c: int) -> tuple[int, int, int]:
    """lookup3's final(a, b, c), statement for statement."""
    c ^= b
    c = (c - _rot(b, 14)) & MASK
    a ^= c
    a = (a - _rot(c, 11)) & MASK
    b ^= a
    b = (b - _rot(a, 25)) & MASK
    c ^= b
    c = (c - _rot(b, 16)) & MASK
    a ^= c
    a = (a - _rot(c, 4)) & MASK
    b ^= a
    b = (b - _rot(a, 14)) & MASK
    c ^= b
    c = (c - _rot(b, 24)) & MASK
    return a, b, c


def int_key(seed: int, unit_id: int) -> int:
    """PostgreSQL's hashint8extended(unit_id, seed): the same signed 64-bit number."""
    value = unit_id & 0xFFFFFFFFFFFFFFFF
    low, high = value & MASK, value >> 32
    low ^= high if unit_id >= 0 else (~high & MASK)
    a = b = c = (0x9E3779B9 + 4 + 3923095) & MASK
    seed &= 0xFFFFFFFFFFFFFFFF
    if seed:
        a = (a + (seed >> 32)) & MASK
        b = (b + (seed & MASK)) & MASK
        a, b, c = _mix(a, b, c)
    a = (a + low) & MASK
    a, b, c = _final(a, b, c)
    result = (b << 32) | c
    return result - (1 << 64) if result >= 1 << 63 else result


def draw(frame: Iterable[tuple], quotas: dict, seed, replacements: int = 0, key=unit_key) -> dict:
    """{stratum: [unit id, …]}: in each stratum the quota's units, then up to `replacements` more in the order
    they replace, from `frame`, an iterable of (stratum, unit id) read once; `key(seed, unit id)` orders them
    (unit_key, or int_key for integer ids and an integer seed)."""
    heaps: dict = {h: [] for h in quotas}
    for stratum, unit in frame:
        want = quotas.get(stratum)
        if not want:
            continue
        heap = heaps[stratum]
        item = (_Descending(key(seed, unit), unit), unit)
        if len(heap) < want + replacements:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    return {h: [unit for _key, unit in sorted(heap, reverse=True)] for h, heap in heaps.items()}


class _Descending:
    """A (key, id) that sorts in reverse, so the heap's top is the largest key kept, the one to drop."""

    __slots__ = ("pair",)

    def __init__(self, key, unit):
        self.pair = (key, unit)

    def __lt__(self, other):
        return self.pair > other.pair

    def __eq__(self, other):
        return self.pair == other.pair
