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


def test_table_prints_an_infinite_reverse_kl_as_inf_without_a_nan(recwarn):
    base = dict(data="ring", trainer="gan", arch="small", iters=1000, decay=0.0, seconds=1.0,
                modes=8, high_quality=50.0, reverse_kl=0.1)
    out = io.StringIO()
    mc.table([dict(base, seed=0), dict(base, seed=1, modes=0, high_quality=0.0,
                                       reverse_kl=float("inf"))], file=out)
    row = [line for line in out.getvalue().splitlines() if line.startswith("gan_tf: gan")][0]
    assert "nan" not in row and row.split()[-3] == "inf"  # one seed had no high-quality sample
    assert "4.0+-4.0" in row
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_learning_rate_decays_linearly_to_zero():
    r = mc.run_one("grid", "gan", seed=0, iters=40, arch="small", decay=0.5)
    # the last chunk runs at lr * (1 - 19/20): the ramp ends one step above zero
    np.testing.assert_allclose(r["final_lr"], [1e-4 / 20] * 2, rtol=1e-5)
    r = mc.run_one("grid", "gan", seed=0, iters=40, arch="small", decay=0.0)
    np.testing.assert_allclose(r["final_lr"], [1e-4] * 2, rtol=1e-6)


def test_throughput_counts_the_flops_each_way_executes():
    import throughput as tp

    g, d = tp._nets(fused=False)
    g_fused, _ = tp._nets(fused=True)
    f_g, f_d, f_fused = tp.forward_flops(g), tp.forward_flops(d), tp.forward_flops(g_fused)
    # dense 100 -> 6272; 3x3 convolutions 128->128 at 14x14, 128->64 at 28x28, 64->1 at 28x28
    convs = 2 * (14 * 14 * 9 * 128 * 128 + 28 * 28 * 9 * 128 * 64 + 28 * 28 * 9 * 64)
    assert f_g == 2 * 100 * 6272 + convs
    # the fused layers do the two upsampling convolutions with 2x2 instead of 3x3 taps
    upsampling = 2 * (14 * 14 * 9 * 128 * 128 + 28 * 28 * 9 * 128 * 64)
    assert f_g - f_fused == upsampling - upsampling * 4 // 9
    assert f_d == 2 * (14 * 14 * 9 * 32 + 7 * 7 * 9 * 32 * 64 + 4 * 4 * 9 * 64 * 128
                       + 4 * 4 * 9 * 128 * 256 + 4096)
    assert tp.step_flops("gan_tf", f_g, f_d) == 4 * f_g + 9 * f_d
    assert tp.step_flops("gan_tf_reuse_bf16", f_g, f_d) == 3 * f_g + 9 * f_d
    assert tp.step_flops("tutorial_fused", f_g, f_d) == 3 * f_g + 8 * f_d
    assert [tp.fused_layers(w) for w in ("book", "tutorial", "tutorial_fused", "gan_tf",
                                         "gan_tf_stock", "gan_tf_reuse_xla")] == \
        [False, False, True, True, False, True]


def test_matmul_peak_under_xla_times_every_product():
    import throughput as tp

    plain = tp.matmul_peak(n=512, seconds=0.3)
    xla = tp.matmul_peak(n=512, seconds=0.3, jit_compile=True)
    # a loop-invariant product hoisted out of the loop would read as ~100x the plain figure
    assert 0.1 < xla / plain < 3.0, (xla, plain)


def test_convs_only_ceiling_keeps_exactly_the_counted_layers_and_weights():
    import tensorflow as tf

    import throughput as tp

    for net in tp._nets(fused=True):
        stripped = tp.convs_only(net)
        kinds = {type(layer).__name__ for layer in stripped.layers}
        assert kinds <= {"InputLayer", "Dense", "Reshape", "UpSampleConv2D", "Conv2D",
                         "ZeroPadding2D", "Flatten", "_Identity"}, kinds
        assert "_Identity" in kinds
        assert tp.forward_flops(stripped) == tp.forward_flops(net)
        for layer in (layer for layer in stripped.layers if layer.weights):
            for a, b in zip(layer.weights, net.get_layer(layer.name).weights, strict=True):
                np.testing.assert_array_equal(a.numpy(), b.numpy())
        # what is left is affine: it keeps affine combinations (the full network does not)
        shape = (4,) + tuple(net.input_shape[1:])
        x1, x2 = tf.random.normal(shape, seed=1), tf.random.normal(shape, seed=2)
        mixed = stripped(0.3 * x1 + 0.7 * x2, training=True)
        np.testing.assert_allclose(mixed, 0.3 * stripped(x1, training=True)
                                   + 0.7 * stripped(x2, training=True), rtol=1e-4, atol=1e-4)
        full = net(0.3 * x1 + 0.7 * x2, training=False)
        assert np.abs(full - (0.3 * net(x1, training=False) + 0.7 * net(x2, training=False))
                      ).max() > 1e-3
    gan = tp.build_gan(["convs"])
    logs = gan.train_step(tf.random.uniform((8, 28, 28, 1), -1, 1, seed=3))
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert tp.fused_layers("gan_tf_xla_convs")


def test_speed_quality_trains_scores_and_tabulates(capsys):
    import speed_quality as sq

    rows = sq.main(["--steps", "3", "--samples", "200", "--ways", "float32,reuse_bf16"])
    assert [r["way"] for r in rows] == ["float32", "reuse_bf16"]
    for r in rows:
        assert r["fid"] > 0 and r["rate"] > 0 and 0 <= r["precision"] <= 1
    out = capsys.readouterr().out
    assert "CPU:" in out and "3 generator steps of batch 128" in out
    assert [line.split()[0] for line in out.splitlines()[-2:]] == ["float32", "reuse_bf16"]
