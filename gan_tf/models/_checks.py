"""Argument checks shared by the model builders."""

from __future__ import annotations

from gan_tf.checks import positive_int  # noqa: F401  (the package's one copy)


def shape(value, name, rank=None):
    try:
        value = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a tuple of positive ints, got {value!r}") from None
    if not value or min(value) <= 0 or (rank is not None and len(value) != rank):
        want = f"{rank} positive ints" if rank else "positive ints"
        raise ValueError(f"{name} must be a tuple of {want}, got {value!r}")
    return value


def power_of_two(value, name, minimum=4, why=""):
    """``value`` as an int; ``ValueError`` naming ``name`` unless it is a power of two >=
    ``minimum`` (``why``, appended to the message: what needs it, what to do otherwise)."""
    value = positive_int(value, name)
    if value < minimum or value & (value - 1):
        raise ValueError(f"{name} must be a power of two >= {minimum}, got {value!r}{why}")
    return value


def units(value, name):
    value = tuple(value)
    for u in value:
        positive_int(u, f"each of {name}")
    return value
