"""The benchmark scripts run (tiny settings) and print what they promise."""

import io
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import mode_coverage as mc  # noqa: E402


def test_mode_coverage_benchmark_runs_scores_and_prints_published_rows():
    r = mc.run_one("ring", "wgan_gp", seed=0, iters=20, arch="small", decay=0.5, eval_every=10)
    assert 0 <= r["modes"] <= 8 and 0.0 <= r["high_quality"] <= 100.0
    assert [c["iter"] for c in r["curve"]] == [10, 20]
    # the curve's last point scores the final generator with the final score's samples
    assert r["curve"][-1] == {"iter": 20, "modes": r["modes"],
                              "high_quality": r["high_quality"], "reverse_kl": r["reverse_kl"]}
    assert np.isfinite(r["logs"]["gradient_penalty"])
    out = io.StringIO()
    mc.table([r, dict(r, seed=1, modes=r["modes"] - 1)], file=out)
    text = out.getvalue()
    assert "CPU:" in text and "PacGAN paper: PacGAN4" in text and "VEEGAN paper: VEEGAN" in text
    row = [line for line in text.splitlines() if line.startswith("gan_tf: wgan_gp")]
    assert len(row) == 1 and row[0].split()[-2] == "2"  # two seeds in one row
    # mean +- std over the two seeds
    assert f"{r['modes'] - 0.5:.1f}+-0.5" in row[0]


def test_table_of_known_runs_prints_exact_rows_in_aligned_columns(tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.setattr(mc, "cpu_model", lambda: "Test CPU")
    ring = dict(data="ring", trainer="gan", arch="small", iters=2000, decay=0.0)
    runs = [dict(ring, seed=0, modes=8, high_quality=90.0, reverse_kl=0.1, seconds=10.0),
            dict(ring, seed=1, modes=6, high_quality=80.0, reverse_kl=0.3, seconds=20.0),
            dict(data="grid", trainer="wgan_gp", arch="pacgan", iters=20000, decay=0.25,
                 lr_scale=0.5, seed=0, modes=25, high_quality=31.5, reverse_kl=0.015,
                 seconds=1234.0)]
    out = io.StringIO()
    mc.table(runs, file=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ("# CPU: Test CPU; published: VEEGAN mean of 5 runs; PacGAN mean +- "
                        "standard error of 10 runs; gan_tf: mean +- std over seeds")
    ring_at, grid_at = lines.index("## 2D ring (max 8 modes)"), lines.index(
        "## 2D grid (max 25 modes)")
    ring_rows, grid_rows = lines[ring_at + 1:grid_at - 1], lines[grid_at + 1:]
    assert len(ring_rows) == len(grid_rows) == 1 + 9 + 1  # header, 9 published, ours
    # mean +- std over the two seeds: modes 7 +- 1, 85 +- 5 %, KL 0.2 +- 0.1, 15 s per run
    assert ring_rows[-1].split("  ")[0] == "gan_tf: gan (small, 2k it)"
    assert ring_rows[-1].split()[-6:] == ["7.0+-1.0", "85.0+-5.0", "%", "0.20+-0.10", "2",
                                           "15"]
    assert grid_rows[-1].split("  ")[0] == \
        "gan_tf: wgan_gp (pacgan, 20k it, lr x0.5, decay 0.25)"
    assert grid_rows[-1].split()[-6:] == ["25.0+-0.0", "31.5+-0.0", "%", "0.01+-0.00", "1",
                                          "1234"]
    assert ring_rows[9].split("  ")[0] == "PacGAN paper: PacGAN4"
    assert ring_rows[9].split()[-4:] == ["7.8+-0.1", "95.9+-1.4", "%", "0.07+-0.02"]
    assert grid_rows[1].split("  ")[0] == "VEEGAN paper: GAN"
    assert grid_rows[1].split()[-4:] == ["3.3", "0.5", "%", "-"]  # no KL in VEEGAN's table
    # every column ends where the header's does, in both sections
    for rows in (ring_rows, grid_rows):
        header = rows[0]
        for name in ("modes", "high quality", "reverse KL"):
            end = header.index(name) + len(name)
            for row in rows[1:]:
                assert row[end - 1] != " " and row[end] == " ", (name, row)
    # --table reads the JSON lines written by --out and prints the same table
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs) + "\n")
    assert mc.main(["--table", str(path)]) == runs
    assert capsys.readouterr().out == out.getvalue()


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


class _Clock:
    """A fake ``time`` module for the benchmarks: ``perf_counter`` reads ``t``, which the fake
    training steps advance."""

    def __init__(self):
        self.t = 0.0

    def perf_counter(self):
        return self.t


def test_matmul_peak_reports_the_flops_of_its_first_run_of_at_least_seconds(monkeypatch):
    import throughput as tp

    # (start, end) of the timed runs of 4, 8 and 16 products: 0.1, 0.2 and 0.4 s
    times = iter([0.0, 0.1, 1.0, 1.2, 2.0, 2.4])
    monkeypatch.setattr(tp, "time", SimpleNamespace(perf_counter=lambda: next(times)))
    # doubling stops after the 0.4 s run (>= 0.3 s): 16 products of 2 n^3 FLOPs in 0.4 s
    assert tp.matmul_peak(n=64, seconds=0.3) == pytest.approx(2 * 64**3 * 16 / 0.4 / 1e9,
                                                              rel=1e-12)


def test_throughput_table_computes_rates_from_steps_and_time(monkeypatch, capsys):
    """main() on fake ways whose steps take known times on a fake clock: images/s, the
    medians, the teardown line and every column of the table, against hand computation."""
    import throughput as tp

    clock = _Clock()
    monkeypatch.setattr(tp, "time", clock)
    monkeypatch.setattr(tp, "matmul_peak", lambda dtype=tp.tf.float32, **kw:
                        2000.0 if dtype == tp.tf.bfloat16 else 1000.0)
    monkeypatch.setattr(tp, "cpu_model", lambda: "Test CPU")
    # seconds per step of each call: warm-up, then the three repeats
    per_step = {"book": [9.0, 0.5, 1.0, 0.25], "tutorial": [9.0, 0.25, 0.25, 0.125],
                "gan_tf_reuse_bf16": [9.0, 0.125, 0.0625, 0.125]}
    teardown = [5.0, 1.0, 3.0, 2.0]  # seconds fit spends after its last step, per call

    def loop(way):
        def step(i):
            if i == 0:
                step.dt = per_step[way].pop(0)
            clock.t += step.dt
        return step

    def fit(x, options):
        assert options == ["reuse", "bf16"]

        def run(n):
            dt = per_step["gan_tf_reuse_bf16"].pop(0)
            clock.t += n * dt + teardown.pop(0)
            return n * dt  # seconds from the first step's start to the last's end
        return run

    monkeypatch.setattr(tp, "book_loop", lambda x: loop("book"))
    monkeypatch.setattr(tp, "tutorial_loop", lambda x, fused: loop("tutorial"))
    monkeypatch.setattr(tp, "gan_tf_fit", fit)
    assert tp.main(["--steps", "4", "--warmup", "1", "--repeats", "3",
                    "--ways", "book,tutorial,gan_tf_reuse_bf16"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(not v for v in per_step.values()) and not teardown  # every call ran once

    # 4 steps x 128 images in 4 x seconds per step
    assert "  book: 256 images/s (runs: 256, 128, 512)" in lines
    assert "  tutorial: 512 images/s (runs: 512, 512, 1024)" in lines
    assert "  gan_tf_reuse_bf16: 1024 images/s (runs: 1024, 2048, 1024)" in lines
    assert "  fit teardown after the last step (per call, not counted): median 2.00 s, " \
           "max 3.00 s" in lines
    assert "measured matmul peak (2048x2048): float32 1000.0 GFLOP/s, bfloat16 2000.0 " \
           "GFLOP/s" in lines
    # forward FLOPs per image, by hand (see test_throughput_counts_the_flops_each_way_executes)
    f_g = 2 * 100 * 6272 + 2 * (14 * 14 * 9 * 128 * 128 + 28 * 28 * 9 * 128 * 64
                                + 28 * 28 * 9 * 64)
    f_g_fused = 2 * 100 * 6272 + 2 * (14 * 14 * 4 * 128 * 128 + 28 * 28 * 4 * 128 * 64
                                      + 28 * 28 * 9 * 64)
    f_d = 2 * (14 * 14 * 9 * 32 + 7 * 7 * 9 * 32 * 64 + 4 * 4 * 9 * 64 * 128
               + 4 * 4 * 9 * 128 * 256 + 4096)
    assert f"forward MFLOPs per image: generator {f_g / 1e6:.2f} (fused upsample-convolutions: " \
           f"{f_g_fused / 1e6:.2f}), discriminator {f_d / 1e6:.2f}" in lines
    expected = {  # way: layers, images/s, x book, x tutorial, FLOPs per image, peak
        "book": ("keras", 256, "1.00", "0.50", 4 * f_g + 9 * f_d, 1000.0),
        "tutorial": ("keras", 512, "2.00", "1.00", 3 * f_g + 8 * f_d, 1000.0),
        "gan_tf_reuse_bf16": ("fused", 1024, "4.00", "2.00", 3 * f_g_fused + 9 * f_d, 2000.0),
    }
    rows = {line.split()[0]: line.split() for line in lines[-3:]}
    for way, (kind, rate, xb, xt, flops, peak) in expected.items():
        gflops = rate * flops / 1e9
        assert rows[way] == [way, kind, str(rate), xb, xt, f"{flops / 1e9:.4f}",
                             f"{gflops:.1f}", f"{100 * gflops / peak:.1f}%"]


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


def test_speed_quality_trains_scores_and_tabulates(monkeypatch, capsys):
    import speed_quality as sq

    # the fit calls take 2 s and 4 s on a fake clock; evaluate is the real one, recorded
    times = iter([0.0, 2.0, 10.0, 14.0])
    monkeypatch.setattr(sq, "time", SimpleNamespace(perf_counter=lambda: next(times)))
    evaluate, scored = sq.metrics.evaluate, []

    def spy(gan, dataset, **kwargs):
        scored.append((gan, kwargs, evaluate(gan, dataset, **kwargs)))
        return scored[-1][-1]

    monkeypatch.setattr(sq.metrics, "evaluate", spy)
    rows = sq.main(["--steps", "3", "--samples", "200", "--ways", "float32,reuse_bf16"])
    assert [r["way"] for r in rows] == ["float32", "reuse_bf16"]
    assert [r["seconds"] for r in rows] == [2.0, 4.0]
    assert [r["rate"] for r in rows] == [3 * 128 / 2.0, 3 * 128 / 4.0]
    for row, (gan, kwargs, result) in zip(rows, scored, strict=True):
        assert int(gan.g_optimizer.iterations.numpy()) == 3  # 3 generator steps were trained
        assert kwargs["num_samples"] == 200 and kwargs["seed"] == 0
        assert len(kwargs["real_images"]) == 10_000 and kwargs["memorisation_samples"] == 100
        assert {k: row[k] for k in result} == result
    assert scored[1][0].reuse_fake and not scored[0][0].reuse_fake
    assert rows[0]["fid"] != rows[1]["fid"]  # two trainings, two scores
    out = capsys.readouterr().out
    assert "CPU:" in out and "3 generator steps of batch 128, seed 0, 200 samples scored" in out
    for line, r in zip(out.splitlines()[-2:], rows, strict=True):
        assert line.split() == [r["way"], f"{r['seconds']:.0f}", f"{r['rate']:.0f}",
                                f"{r['fid']:.2f}", f"{r['kid']:.4f}", f"{r['precision']:.3f}",
                                f"{r['recall']:.3f}", f"{r['classes_covered']:.0f}"]
    assert out.splitlines()[-2].split()[:3] == ["float32", "2", "192"]
    assert out.splitlines()[-1].split()[:3] == ["reuse_bf16", "4", "96"]


# -- chapter 6: semi-supervised classification and InfoGAN clustering ----------------------

def _fashion_test(limit):
    from gan_tf import data

    return data.load_arrays("fashion_mnist", "test", limit=limit)


def test_semi_supervised_benchmark_trains_each_method_and_prints_its_test_accuracy(
        monkeypatch, capsys):
    """main() on a tiny scale: every method makes --steps updates of its classifier, the
    returned accuracy is the trained network's on the test images (recomputed here from its
    logits), and the progress lines and the table print exactly those values."""
    import semi_supervised as ss

    built, build = [], ss.build

    def spy(method, seed, lr, generator="mlp"):
        built.append((method, seed, build(method, seed, lr, generator)))
        return built[-1][-1]

    monkeypatch.setattr(ss, "build", spy)
    results = ss.main(["--steps", "3", "--draws", "1", "--labels", "20", "--limit", "600",
                       "--test-limit", "200", "--batch-size", "16", "--seed", "5"])
    assert [(r["method"], r["labels"], r["draw"], r["steps"], r["n_labelled"])
            for r in results] == [(m, 20, 0, 3, 20) for m in ss.METHODS]
    assert [(m, s) for m, s, _ in built] == [(m, 5) for m in ss.METHODS]  # seed + draw 0
    x_test, y_test = _fashion_test(200)
    for r, (method, _, model) in zip(results, built, strict=True):
        if method == "baseline":
            assert int(model.optimizer.iterations.numpy()) == 3
            logits = model(x_test, training=False)
        else:
            assert model.variant == method
            assert int(model.d_optimizer.iterations.numpy()) == 3
            assert int(model.g_optimizer.iterations.numpy()) == 3
            logits = model.discriminator(x_test, training=False)[:, :10]
        expected = float(np.mean(np.argmax(logits, axis=-1) == y_test))
        assert 0.0 <= r["accuracy"] <= 1.0 and r["accuracy"] == expected
    out = capsys.readouterr().out
    assert "CPU:" in out and "TensorFlow" in out and "not Fashion-MNIST" in out
    lines = out.splitlines()
    for r in results:
        progress = [line for line in lines if f"draw 0, {r['method']:<8}:" in line]
        assert len(progress) == 1 and f"test accuracy {r['accuracy']:.4f} (" in progress[0]
        row = [line.split() for line in lines if line.split()[:2] == ["20", r["method"]]]
        assert len(row) == 1
        acc = f"{r['accuracy']:.4f}"
        # labels, method, mean +- std, draws, s/run, the one draw's value
        assert row[0][2:6] == [acc, "+-", "0.0000", "1"] and row[0][7:] == [acc]


def test_semi_supervised_table_of_known_runs_prints_mean_std_and_each_draw():
    import semi_supervised as ss

    def run(method, labels, draw, acc, seconds):
        return dict(method=method, labels=labels, draw=draw, accuracy=acc, seconds=seconds)

    runs = [run("salimans", 100, 0, 0.75, 10.0), run("baseline", 1000, 0, 0.8, 1.0),
            run("baseline", 100, 0, 0.5, 2.0), run("baseline", 100, 1, 0.7, 4.0),
            run("salimans", 100, 1, 0.85, 30.0)]
    out = io.StringIO()
    ss.table(runs, file=out)
    rows = [line.split() for line in out.getvalue().splitlines()
            if line.split()[:1] in (["100"], ["1000"])]
    # ordered by labels, then baseline / odena / salimans; mean +- population std over draws
    assert rows == [["100", "baseline", "0.6000", "+-", "0.1000", "2", "3", "0.5000", "0.7000"],
                    ["100", "salimans", "0.8000", "+-", "0.0500", "2", "20", "0.7500",
                     "0.8500"],
                    ["1000", "baseline", "0.8000", "+-", "0.0000", "1", "1", "0.8000"]]
    text = out.getvalue()
    assert "Salimans et al. 2016, table 1 (PI-MNIST): 100 labels, feature matching: accuracy " \
           "0.9907 +- 0.00065 (error 0.93 %)" in text
    assert "Odena 2016, table 1 (MNIST): 100 labels, SGAN: accuracy 0.9280 (error 7.20 %)" in text


def test_cluster_scores_match_hand_computed_acc_nmi_ari():
    import infogan_clustering as ic

    # clusters {0, 1} | {2, 3, 4}, classes {0, 1, 2} | {3, 4}: contingency [[2, 0], [1, 2]]
    s = ic.cluster_scores([0, 0, 1, 1, 1], [0, 0, 0, 1, 1])
    assert s["accuracy"] == pytest.approx(4 / 5)            # 0 -> 0, 1 -> 1
    # ARI = (sum C(n_ij, 2) - E) / (max - E): sum = 1 + 0 + 1, row and column sums 4 and 4,
    # E = 4 * 4 / C(5, 2) = 1.6, max = (4 + 4) / 2
    assert s["ari"] == pytest.approx((2 - 1.6) / (4 - 1.6))
    p = np.array([[0.4, 0.0], [0.2, 0.4]])                  # joint of (cluster, class)
    pc, pk = p.sum(1), p.sum(0)
    mi = sum(p[i, j] * np.log(p[i, j] / (pc[i] * pk[j]))
             for i in range(2) for j in range(2) if p[i, j])
    h = lambda q: -np.sum(q * np.log(q))                    # noqa: E731
    assert s["nmi"] == pytest.approx(mi / ((h(pc) + h(pk)) / 2))
    # a relabelled perfect clustering, and one cluster for everything
    assert ic.cluster_scores([2, 2, 0, 1], [0, 0, 1, 2]) == pytest.approx(
        {"accuracy": 1.0, "nmi": 1.0, "ari": 1.0})
    assert ic.cluster_scores([3, 3, 3, 3], [0, 0, 1, 1]) == pytest.approx(
        {"accuracy": 0.5, "nmi": 0.0, "ari": 0.0})


def test_infogan_clustering_benchmark_scores_q_after_each_epoch_and_prints_the_scores(
        monkeypatch, capsys):
    """main() on a tiny scale: --epochs epochs of len // batch steps; after each epoch Q's codes
    on the test images are scored (the last epoch's scores are the result, recomputed here from
    the trained discriminator's code logits); the lines and the table print those values."""
    import infogan_clustering as ic
    from gan_tf import metrics

    built, build = [], ic.build_trainer
    monkeypatch.setattr(ic, "build_trainer", lambda seed: built.append(build(seed)) or built[-1])
    results = ic.main(["--epochs", "2", "--seeds", "1", "--limit", "128", "--test-limit",
                       "300", "--batch-size", "64"])
    (r,), (gan,) = results, built
    assert (r["seed"], r["epochs"], [row["epoch"] for row in r["curve"]]) == (0, 2, [1, 2])
    assert int(gan.g_optimizer.iterations.numpy()) == 2 * (128 // 64)
    assert gan.noise_dim == 62 and (gan.n_categories, gan.n_continuous) == (10, 2)
    x_test, y_test = _fashion_test(300)
    pred = np.argmax(gan.discriminator(x_test, training=False)[1], axis=-1)
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    expected = {"accuracy": metrics.match_clusters(pred, y_test)[0],
                "nmi": normalized_mutual_info_score(y_test, pred),
                "ari": adjusted_rand_score(y_test, pred)}
    assert {k: r[k] for k in ic.SCORES} == pytest.approx(expected, abs=1e-12)
    assert {k: r["curve"][-1][k] for k in ic.SCORES} == {k: r[k] for k in ic.SCORES}
    assert 0.1 <= r["accuracy"] <= 1.0   # the best map beats the mean over all maps, 1/10
    out = capsys.readouterr().out
    assert "CPU:" in out and "TensorFlow" in out
    lines = out.splitlines()
    for row in r["curve"]:
        line = [x for x in lines if x.startswith(f"seed 0 epoch {row['epoch']}:")]
        assert len(line) == 1 and line[0].startswith(
            f"seed 0 epoch {row['epoch']}: ACC {row['accuracy']:.4f}, NMI {row['nmi']:.4f}, "
            f"ARI {row['ari']:.4f}, L_I(c1) {row['mutual_info']:.3f}")
    ours = [x for x in lines if x.startswith("gan_tf: InfoGAN, 2 epochs")]
    assert len(ours) == 1
    cells = ours[0].split("Fashion-10")[1].split()
    assert cells[:9] == [f"{r['accuracy']:.4f}", "+-", "0.0000", f"{r['nmi']:.4f}", "+-",
                         "0.0000", f"{r['ari']:.4f}", "+-", "0.0000"]
    assert cells[9] == "1"
    seed_row = lines[lines.index(ours[0]) + 1].split()
    assert seed_row == ["seed", "0", f"{r['accuracy']:.4f}", f"{r['nmi']:.4f}", f"{r['ari']:.4f}"]


def test_infogan_clustering_table_of_known_runs():
    import infogan_clustering as ic

    runs = [dict(seed=0, epochs=4, accuracy=0.5, nmi=0.4, ari=0.3, seconds=100.0),
            dict(seed=1, epochs=4, accuracy=0.7, nmi=0.6, ari=0.2, seconds=200.0)]
    out = io.StringIO()
    ic.table(runs, file=out)
    lines = out.getvalue().splitlines()
    ours = [x for x in lines if x.startswith("gan_tf: InfoGAN, 4 epochs")][0]
    assert ours.split("Fashion-10")[1].split() == ["0.6000", "+-", "0.1000", "0.5000", "+-",
                                                   "0.1000", "0.2500", "+-", "0.0500", "2",
                                                   "150"]
    readme = [x for x in lines if x.startswith("ClusterGAN README")][0]
    assert readme.split("Fashion-10")[1].split() == ["0.6119", "+-", "0.0230", "0.6157", "+-",
                                                     "0.0112", "0.4617", "+-", "0.0226"]
    recalled = [x for x in lines if x.startswith("ClusterGAN paper: InfoGAN (as recalled)")][0]
    assert recalled.split("Fashion-10")[1].split() == ["0.6100", "0.5900", "0.4400"]
    assert lines[lines.index(ours) + 2].split() == ["seed", "1", "0.7000", "0.6000", "0.2000"]


def _untrained_scene_models(monkeypatch, module):
    """The text-to-image benchmark on untrained (random) text encoder and scene classifier:
    the smoke test needs their shapes, not their training."""
    from gan_tf.metrics import scene_features
    from gan_tf.models import scene_classifier, text

    monkeypatch.setattr(module.models, "load_text_encoder",
                        lambda models_dir=None: text.scene_text_encoder())
    monkeypatch.setattr(scene_features, "load_scene_classifier",
                        lambda models_dir=None: scene_classifier.build_scene_classifier())


def test_text_to_image_benchmark_smoke_run_prints_every_table(monkeypatch, capsys, tmp_path):
    import text_to_image as t2i

    _untrained_scene_models(monkeypatch, t2i)
    out = tmp_path / "runs.jsonl"
    records = t2i.main(["--seeds", "1", "--steps", "2", "--n-train", "32", "--n-test", "16",
                        "--batch-size", "16", "--systems", "gan-int-cls",
                        "--diversity-captions", "2", "--diversity-samples", "2",
                        "--sweep-captions", "1", "--eager", "--out", str(out)])
    text = capsys.readouterr().out
    assert "CPU:" in text and "wall time" in text
    for heading in ("Caption accuracy on held-out test captions 0 and FID (32x32",
                    "Diversity for one caption", "Training ("):
        assert heading in text, heading
    assert "(64x64" not in text                      # no 64x64 system was asked for
    # the ceiling: real test scenes hold every attribute their caption 0 states
    real = [r for r in records if r["system"] == "real"]
    assert len(real) == 1 and all(real[0][a] == 1.0 for a in t2i.ATTRIBUTES)
    assert np.isfinite(real[0]["fid"]) and real[0]["fid"] >= 0
    by = {(r["system"], r["table"], r.get("control")): r for r in records}
    gan = by[("gan-int-cls", "quality32", None)]
    assert all(0.0 <= gan[a] <= 1.0 for a in t2i.ATTRIBUTES) and np.isfinite(gan["fid"])
    timing = by[("gan-int-cls", "timing", None)]
    assert timing["steps"] == 2 and timing["step_seconds"] > 0
    # --table re-reads the JSON lines into the same records
    assert t2i.main(["--table", str(out)]) == json.loads(json.dumps(records))
    assert "GAN-INT-CLS (32)" in capsys.readouterr().out


class _PaintingGenerator:
    """A perfect box-conditional generator: a red rectangle filling the requested box (pixel
    edges rounded) on a grey canvas; for keypoints, the box spanned by them."""

    def sample(self, n, seed=None, text=None, box=None, keypoints=None):
        if keypoints is not None:
            kp = np.asarray(keypoints)
            box = np.stack([kp[..., 0].min(1), kp[..., 1].min(1), kp[..., 0].max(1),
                            kp[..., 1].max(1)], 1)
        px = np.rint(np.broadcast_to(box, (n, 4)) * 32).astype(int)
        x = np.zeros((n, 32, 32, 3), np.float32)
        for i, (y0, x0, y1, x1) in enumerate(px):
            x[i, y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)] = [1.0, -1.0, -1.0]
        return x


def test_text_to_image_gawwn_control_of_a_perfect_generator():
    import text_to_image as t2i
    from gan_tf import data

    test = data.make_scenes(40, 32, seed=0, split="test")
    d = {"test": {32: test}, "test_embeddings": np.zeros((40, 5, 4), np.float32)}
    args = SimpleNamespace(sweep_captions=2)
    own, sweep = t2i.control(_PaintingGenerator(), "gawwn-box", d, args, seed=0)
    # the painted box is the requested one up to rounding to whole pixels
    assert own["iou"] > 0.9 and sweep["iou"] > 0.9 and sweep["iou_ge_0.7"] == 1.0
    assert sweep["control"] == "box sweep (54 boxes x 2 captions)"
    own, sweep = t2i.control(_PaintingGenerator(), "gawwn-kp", d, args, seed=0)
    # a rectangle has its top/bottom/left/right keypoints on the requested extremes' rows and
    # columns: every keypoint lies within a quarter of the canvas, and the mask is found
    assert own["found"] == sweep["found"] == 1.0
    assert 0 < own["error"] < 0.25 and 0 < sweep["error"] < 0.25 and own["pck"] > 0.3
    assert sweep["control"] == "keypoint sweep (18 layouts x 2 captions)"


def test_text_to_image_table_averages_seeds():
    import text_to_image as t2i

    base = {"system": "gan", "table": "quality32", "row": "GAN", "label": 0.5, "colour": 0.2,
            "size": 1.0, "position": 0.0, "background": 1.0, "all": 0.5}
    records = [dict(base, seed=0, fid=10.0), dict(base, seed=1, fid=14.0, colour=0.4),
               {"system": "stage1", "seed": 0, "table": "diversity", "row": "Stage-I",
                "feature": 2.0, "pixel": float("nan")}]
    out = io.StringIO()
    t2i.table(records, file=out)
    lines = out.getvalue().splitlines()
    row = [line for line in lines if line.startswith("GAN ")][0].split()
    # colour 0.3 +- 0.1, FID 12 +- 2 over the two seeds
    assert row[1:] == ["0.500+-0.000", "0.300+-0.100", "1.000+-0.000", "0.000+-0.000",
                       "1.000+-0.000", "0.500+-0.000", "12.00+-2.00", "2"]
    div = [line for line in lines if line.startswith("Stage-I")][0].split()
    assert div[1:] == ["2.000+-0.000", "-", "1"]     # a NaN cell prints as '-'


def test_text_to_image_writes_each_ceiling_once_per_out_file(tmp_path):
    import text_to_image as t2i

    out = tmp_path / "runs.jsonl"
    assert t2i._ceilings_in(str(out)) == set() and t2i._ceilings_in(None) == set()
    out.write_text(json.dumps({"system": "real", "seed": 0, "table": "quality32"}) + "\n\n"
                   + json.dumps({"system": "gan", "seed": 0, "table": "quality64"}) + "\n")
    # a later run into the same file (more seeds or systems) skips the 32x32 ceiling only
    assert t2i._ceilings_in(str(out)) == {"quality32"}


def test_text_to_image_steps_per_system():
    import text_to_image as t2i

    # one number for every system, or system=N overriding DEFAULT_STEPS for that system only
    assert t2i.steps_per_system(None) == t2i.DEFAULT_STEPS
    assert set(t2i.steps_per_system(["7"]).values()) == {7}
    steps = t2i.steps_per_system(["stage2=3000", "gawwn-box=20"])
    assert steps["stage2"] == 3000 and steps["gawwn-box"] == 20
    assert steps["stage1"] == t2i.DEFAULT_STEPS["stage1"]
    with pytest.raises(ValueError, match="unknown system 'stage3'"):
        t2i.steps_per_system(["stage3=5"])
    with pytest.raises(ValueError, match="must be positive, received 'stage2=0'"):
        t2i.steps_per_system(["stage2=0"])
    with pytest.raises(ValueError, match="one number or system=N items, received \\['5', 'v2=3'\\]"):
        t2i.steps_per_system(["5", "v2=3"])
