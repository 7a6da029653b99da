"""Run profiles, seeds and output folders.

A *profile* sets the scale of every notebook: ``smoke`` (CI, seconds per notebook),
``quick`` (default: minutes on a laptop CPU, results that visibly work) and ``full``
(the book's scale, for a GPU or TPU). It is read from the ``GAN_TF_PROFILE`` environment
variable. Outputs go under ``outputs/<run-name>/`` (``GAN_TF_OUTPUTS`` moves the root).

See chapter 3 (README "Profiles").
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

PROFILES = ("smoke", "quick", "full")
DEFAULT_PROFILE = "quick"
PROFILE_ENV = "GAN_TF_PROFILE"
OUTPUTS_ENV = "GAN_TF_OUTPUTS"
DATA_ENV = "GAN_TF_DATA"
PRECISION_ENV = "GAN_TF_MIXED_PRECISION"
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


@dataclass(frozen=True)
class Profile:
    """A named scale. ``pick(smoke, quick, full)`` returns the value for this profile."""

    name: str

    def __post_init__(self):
        if self.name not in PROFILES:
            raise ValueError(
                f"unknown profile {self.name!r}; expected one of {', '.join(PROFILES)}"
            )

    def pick(self, smoke, quick, full):
        """Return ``smoke``, ``quick`` or ``full`` according to this profile."""
        return {"smoke": smoke, "quick": quick, "full": full}[self.name]

    @property
    def is_smoke(self) -> bool:
        return self.name == "smoke"

    def __str__(self) -> str:
        return self.name


def profile(name: str | None = None) -> Profile:
    """The active profile: ``name`` if given, else ``$GAN_TF_PROFILE``, else ``quick``.

    Raises ``ValueError`` naming the three profiles for anything else.
    """
    from_env = name is None
    if from_env:
        name = os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
    if name not in PROFILES:
        source = f" (from ${PROFILE_ENV})" if from_env else ""
        raise ValueError(
            f"unknown profile {name!r}{source}; expected one of {', '.join(PROFILES)}"
        )
    return Profile(name)


def set_seed(seed: int = 0, deterministic: bool = False) -> int:
    """Seed Python, NumPy, TensorFlow and Keras; optionally turn on op determinism.

    Returns the seed so a notebook can print it.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import keras
    import numpy as np
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed


def precision(name: str | None = None) -> str:
    """Set Keras's global dtype policy from ``name`` or ``$GAN_TF_MIXED_PRECISION``.

    ``float32`` (default), ``mixed_float16`` (the trainers then wrap their optimizers in a
    ``LossScaleOptimizer``) or ``mixed_bfloat16``. Call it before building models; notebooks do
    in their first cell, so a run switches precision without code changes. Whether it helps is
    a measurement (``benchmarks/throughput.py`` prints it for your machine): on the DCGAN step
    bfloat16 was 1.42x faster on a 2-core AMD EPYC with AVX-512 bf16 and 0.55x (slower) on an
    Intel Xeon Ice Lake without it. Returns the policy name.
    """
    import keras

    from_env = name is None
    if from_env:
        name = os.environ.get(PRECISION_ENV, "").strip() or "float32"
    if name not in PRECISIONS:
        source = f" (from ${PRECISION_ENV})" if from_env else ""
        raise ValueError(f"unknown precision {name!r}{source}; expected one of {', '.join(PRECISIONS)}")
    keras.config.set_dtype_policy(name)
    return name


def repo_root() -> Path | None:
    """The source checkout holding this package (``None`` for a plain install)."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").exists() else None


def outputs_root() -> Path:
    """``$GAN_TF_OUTPUTS``, else ``<checkout>/outputs``, else ``./outputs``."""
    env = os.environ.get(OUTPUTS_ENV)
    if env:
        return Path(env).expanduser().resolve()
    root = repo_root()
    return (root if root is not None else Path.cwd()) / "outputs"


def output_dir(run_name: str) -> Path:
    """Create and return ``outputs/<run_name>/``; ``run_name`` is a plain folder name."""
    if not run_name or not isinstance(run_name, str) or "/" in run_name or "\\" in run_name:
        raise ValueError(f"run_name must be a non-empty folder name without '/', got {run_name!r}")
    if run_name in (".", ".."):
        raise ValueError(f"run_name must be a real folder name, got {run_name!r}")
    path = outputs_root() / run_name
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_roots() -> list[Path]:
    """Folders searched for bundled data, in order: ``$GAN_TF_DATA``, ``<checkout>/data``."""
    roots = []
    env = os.environ.get(DATA_ENV)
    if env:
        roots.append(Path(env).expanduser().resolve())
    root = repo_root()
    if root is not None:
        roots.append(root / "data")
    return roots


def cache_dir() -> Path:
    """Where downloads are cached: ``<first data root>/cache`` (git-ignored)."""
    roots = data_roots()
    base = roots[0] if roots else Path.home() / ".cache" / "gan_tf"
    return base / "cache" if roots else base


def models_dirs() -> list[Path]:
    """Folders searched for shipped weights: ``<data root>/models`` for each data root
    (``data_roots``). See chapter 5.5."""
    return [root / "models" for root in data_roots()]


def sha256_file(path) -> str:
    """Hex SHA-256 of a file. See chapter 5.5."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_sha256_file(path) -> str:
    """The hash in a ``sha256sum``-format file (``<64 hex digits>  <file name>``); ``ValueError``
    quoting the file's start otherwise. See chapter 5.5."""
    text = Path(path).read_text().split()
    if not text or len(text[0]) != 64:
        raise ValueError(f"{path} must hold '<64 hex digits>  <file name>' (sha256sum "
                         f"format), got {Path(path).read_text()[:100]!r}")
    return text[0].lower()


def find_weights(name, command, models_dir=None) -> Path:
    """Path of the weights file ``name`` in ``models_dir`` (or the first of ``models_dirs()``
    holding it); ``FileNotFoundError`` naming the folders searched and ``command``, the one that
    creates the file. See chapter 5.5."""
    folders = [Path(models_dir)] if models_dir is not None else models_dirs()
    for folder in folders:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(
        f"weights {name} not found in: "
        + ("; ".join(str(f) for f in folders) or "(no data folder)")
        + f". Create them with `{command}` (from the repository root).")


def verify_sha256(path, expected, sha_path, command) -> Path:
    """``path`` after checking its SHA-256 against ``expected`` (a hash pinned in the code) or,
    when ``expected`` is ``None``, the hash in the ``sha256sum`` file ``sha_path``. A mismatch
    raises ``ValueError`` naming both hashes, a missing ``sha_path`` ``FileNotFoundError``;
    both name ``command``, which re-creates the file. See chapter 5.5."""
    path = Path(path)
    if expected is None:
        if not Path(sha_path).exists():
            raise FileNotFoundError(
                f"{sha_path} (the SHA-256 of {path.name}) is missing; re-create both with "
                f"`{command}`.")
        expected = read_sha256_file(sha_path)
    actual = sha256_file(path)
    if actual != expected.lower():
        raise ValueError(
            f"SHA-256 mismatch for {path}: expected {expected}, received {actual}. The file is "
            f"corrupt or from another training run; re-create it with `{command}`.")
    return path
