#!/usr/bin/env python
"""Execute the chapter notebooks with nbclient and save the executed copies.

    python scripts/run_notebooks.py [--out outputs/notebooks] [--profile quick] [names...]

The profile comes from --profile or $GAN_TF_PROFILE (default quick). Figures are written by
the notebooks themselves under outputs/<notebook stem>/ (or $GAN_TF_OUTPUTS/<stem>/).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def notebook_paths(names=None):
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if names:
        wanted = {Path(n).stem for n in names}
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            raise SystemExit(f"unknown notebooks {sorted(unknown)}; have {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in wanted]
    return paths


def execute(path, out_dir, profile, outputs_root=None, timeout=1800):
    """Run one notebook top to bottom in ``profile``; save it executed under ``out_dir``.

    Returns (executed notebook path, seconds). Raises nbclient's CellExecutionError on error.
    """
    import nbformat
    from nbclient import NotebookClient

    env_backup = dict(os.environ)
    os.environ["GAN_TF_PROFILE"] = profile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "Agg")
    if outputs_root is not None:
        os.environ["GAN_TF_OUTPUTS"] = str(outputs_root)
    try:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
        finally:
            out_dir.mkdir(parents=True, exist_ok=True)
            out = out_dir / path.name
            nbformat.write(nb, out)
        return out, time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(env_backup)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook stems (default: all)")
    parser.add_argument("--out", default=str(ROOT / "outputs" / "notebooks"))
    parser.add_argument("--profile", default=os.environ.get("GAN_TF_PROFILE", "quick"))
    args = parser.parse_args(argv)
    out_dir = Path(args.out).resolve()
    total = 0.0
    failed = []
    for path in notebook_paths(args.names):
        print(f"running {path.name} ({args.profile} profile) ...", flush=True)
        try:
            out, seconds = execute(path, out_dir, args.profile)
        except Exception as err:  # report and go on with the next notebook
            print(f"  FAILED: {type(err).__name__}: {str(err)[-2000:]}", flush=True)
            failed.append(path.name)
            continue
        total += seconds
        print(f"  done in {seconds:.0f} s -> {out}", flush=True)
    outputs = Path(os.environ.get("GAN_TF_OUTPUTS", ROOT / "outputs"))
    print(f"\nexecuted notebooks: {out_dir}")
    print(f"figures: {outputs}/<notebook name>/")
    print(f"total notebook time: {total:.0f} s")
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
