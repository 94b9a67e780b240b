"""Array types and small numpy helpers shared by the generator's steps."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]
DateArray = npt.NDArray[np.datetime64]


def lognormal(rng: np.random.Generator, sigma: float, size: int | tuple[int, ...]) -> FloatArray:
    """Multiplicative noise with mean 1."""
    out: FloatArray = rng.lognormal(-0.5 * sigma * sigma, sigma, size)
    return out


def strings(values: list[str] | tuple[str, ...]) -> ObjArray:
    """An object array of ``values`` (numpy would make a fixed-width string array)."""
    out: ObjArray = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def ids(prefix: str, n: int, width: int) -> ObjArray:
    """``n`` identifiers ``prefix`` + 1..n, zero-padded to ``width`` digits."""
    nums = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    out: ObjArray = np.char.add(prefix, nums).astype(object)
    return out
