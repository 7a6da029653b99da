"""The benchmark scripts run (tiny settings) and print what they promise."""

import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import mode_coverage as mc  # noqa: E402


def test_mode_coverage_benchmark_runs_scores_and_prints_published_rows():
    r = mc.run_one("ring", "wgan_gp", seed=0, iters=20, arch="small", decay=0.5, eval_every=10)
    assert 0 <= r["modes"] <= 8 and 0.0 <= r["high_quality"] <= 100.0
    assert [c["iter"] for c in r["curve"]] == [10, 20]
    assert np.isfinite(r["logs"]["gradient_penalty"])
    out = io.StringIO()
    mc.table([r, dict(r, seed=1, modes=r["modes"] - 1)], file=out)
    text = out.getvalue()
    assert "CPU:" in text and "PacGAN paper: PacGAN4" in text and "VEEGAN paper: VEEGAN" in text
    row = [line for line in text.splitlines() if line.startswith("gan_tf: wgan_gp")]
    assert len(row) == 1 and row[0].split()[-2] == "2"  # two seeds in one row
    # mean +- std over the two seeds
    assert f"{r['modes'] - 0.5:.1f}+-0.5" in row[0]


def test_learning_rate_decays_linearly_to_zero():
    r = mc.run_one("grid", "gan", seed=0, iters=40, arch="small", decay=0.5)
    # the last chunk runs at lr * (1 - 19/20): the ramp ends one step above zero
    np.testing.assert_allclose(r["final_lr"], [1e-4 / 20] * 2, rtol=1e-5)
    r = mc.run_one("grid", "gan", seed=0, iters=40, arch="small", decay=0.0)
    np.testing.assert_allclose(r["final_lr"], [1e-4] * 2, rtol=1e-6)
