"""python -m gan_tf: train, resume by rerunning, sample; clear errors for unknown names."""

import json
import shutil
import subprocess
import sys

import pytest


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gan_tf", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def _train_resume_sample(tmp_path, model, limit, batch_size, eval_samples, steps_per_epoch,
                         extra=()):
    """Train 1 epoch, rerun the same command to 2 epochs (a resume), then sample from the run;
    returns the run folder and the second run's output."""
    run = tmp_path / "run"
    common = ["train", model, "--dataset", "fashion_mnist", "--limit", str(limit),
              "--batch-size", str(batch_size), "--eval-samples", str(eval_samples),
              "--out", str(run), "--no-progress", *extra]
    first = _cli(*common, "--epochs", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"trained to epoch 1 ({steps_per_epoch} generator steps)" in first.stdout
    second = _cli(*common, "--epochs", "2", cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert (f"trained to epoch 2 ({2 * steps_per_epoch} generator steps, resumed from epoch 1)"
            in second.stdout)
    # in this process (one TensorFlow start fewer): a run folder's trainer is built from
    # run.json by code and its checkpoint loaded, so a fresh interpreter adds nothing here;
    # test_saving runs ``python -m gan_tf sample`` on a .keras file in a fresh one
    from gan_tf import cli

    assert cli.main(["sample", "--checkpoint", str(run), "--n", "16"]) == 0
    assert (run / "sample_grid.png").stat().st_size > 1000
    return run, second.stdout


def test_train_resume_and_sample(tmp_path):
    run, _ = _train_resume_sample(tmp_path, "mlp_gan", 64, 16, 20, steps_per_epoch=4)
    for name in ("run.json", "generator.keras", "metrics.json", "samples/samples_epoch_001.png",
                 "samples/samples_epoch_002.png", "checkpoints/checkpoint.json"):
        assert (run / name).exists(), name
    assert list((run / "logs").rglob("events.out.tfevents.*")), "no TensorBoard logs"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["generator_steps"] == 8 and metrics["fid"] > 0


@pytest.mark.parametrize("args,message", [
    (["train", "stylegan", "--out", "x"],
     "unknown model 'stylegan'; known models: mlp_gan, dcgan, lsgan, wgan, wgan_gp"),
    (["train", "dcgan", "--dataset", "cifar", "--out", "x"],
     "unknown data set 'cifar'; known: fashion_mnist, mnist, digits"),
    (["sample", "--checkpoint", "nowhere"], "not a training run"),
])
def test_unknown_names_are_clear_errors(args, message, tmp_path):
    out = _cli(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert message in out.stderr


@pytest.mark.parametrize("model,trainer,optimizer,d_steps", [
    ("mlp_gan", "GAN", ("Adam", 2e-4, 0.5, 0.999), 1),
    ("dcgan", "GAN", ("Adam", 2e-4, 0.5, 0.999), 1),
    ("lsgan", "LSGAN", ("Adam", 2e-4, 0.5, 0.999), 1),
    ("wgan", "WGAN", ("RMSprop", 5e-5, None, None), 5),
    ("wgan_gp", "WGANGP", ("Adam", 1e-4, 0.0, 0.9), 5),
    ("cgan", "ConditionalGAN", ("Adam", 2e-4, 0.5, 0.999), 1),
    ("acgan", "ACGAN", ("Adam", 2e-4, 0.5, 0.999), 1),
    ("infogan", "InfoGAN", ("Adam", (2e-4, 1e-3), 0.5, 0.999), 1),   # (D and Q, G)
])
def test_each_registered_model_is_its_papers_trainer_with_its_defaults(model, trainer, optimizer,
                                                                        d_steps):
    import keras
    import numpy as np

    from gan_tf import cli, distribute

    run = {"model": model, "image_shape": [28, 28, 1], "latent_dim": 100, "seed": 0,
           "precision": "float32", "jit": False}
    gan = cli._make_trainer(run, distribute.strategy("default"))
    assert type(gan).__name__ == trainer and gan.d_steps == d_steps
    assert cli.batch_per_step(gan, 64) == 64 * d_steps
    name, lrs, beta_1, beta_2 = optimizer
    for opt, lr in zip((gan.d_optimizer, gan.g_optimizer),
                       lrs if isinstance(lrs, tuple) else (lrs, lrs)):
        assert type(opt).__name__ == name
        assert float(opt.learning_rate) == pytest.approx(lr)
        if beta_1 is not None:
            assert (opt.beta_1, opt.beta_2) == (beta_1, beta_2)
    norms = {type(layer).__name__ for layer in gan.discriminator._flatten_layers()
             if "Normalization" in type(layer).__name__}
    if model == "wgan_gp":  # a per-example penalty: layer norm in the critic, no dropout
        assert norms == {"LayerNormalization"}
        assert not [layer for layer in gan.discriminator.layers
                    if isinstance(layer, keras.layers.Dropout)]
    elif model != "mlp_gan":
        assert norms == {"BatchNormalization"}
    images = gan.sample(3, seed=0)
    assert images.shape == (3, 28, 28, 1)
    if model in cli.CONDITIONAL:          # --label K is this keyword of sample()
        one = gan.sample(3, seed=0, **{cli.CONDITIONAL[model]: 1})
        assert one.shape == (3, 28, 28, 1) and np.abs(one - images).max() > 0


def test_cgan_trains_on_labels_and_samples_the_requested_class(tmp_path, capsys):
    """In this process (the subprocess path is test_train_resume_and_sample's): train cgan for
    one epoch on 32 labelled images, then sample class 3 from the run and from its .keras
    generator; a label on an unconditional run, or out of range, is a one-line error."""
    import keras
    import numpy as np

    from gan_tf import cli

    run = tmp_path / "run"
    assert cli.main(["train", "cgan", "--limit", "32", "--batch-size", "16", "--epochs", "1",
                     "--eval-samples", "20", "--out", str(run), "--no-progress"]) == 0
    assert "trained to epoch 1 (2 generator steps)" in capsys.readouterr().out
    assert cli.main(["sample", "--checkpoint", str(run), "--n", "8", "--label", "3",
                     "--out", str(tmp_path / "three.png")]) == 0
    assert (tmp_path / "three.png").stat().st_size > 1000
    assert cli.main(["sample", "--checkpoint", str(run / "generator.keras"), "--n", "4",
                     "--label", "3", "--out", str(tmp_path / "three_keras.png")]) == 0
    bare = tmp_path / "bare"             # a generator file without its run: z ~ N(0, I), y
    bare.mkdir()
    shutil.copy(run / "generator.keras", bare / "g.keras")
    assert cli.main(["sample", "--checkpoint", str(bare / "g.keras"), "--n", "4", "--label", "3",
                     "--out", str(tmp_path / "bare.png")]) == 0
    assert (tmp_path / "bare.png").stat().st_size > 1000
    assert cli.main(["sample", "--checkpoint", str(bare / "g.keras"), "--label", "11"]) == 2
    assert "--label 11: expected a class in [0, 9]" in capsys.readouterr().err
    generator = keras.saving.load_model(run / "generator.keras")
    z = keras.random.normal((4, 100), seed=0)
    y = np.eye(10, dtype="float32")[[3] * 4]
    assert generator.predict([z, y], verbose=0).shape == (4, 28, 28, 1)
    assert cli.main(["sample", "--checkpoint", str(run), "--label", "10"]) == 2
    assert "--label 10: expected a class in [0, 9]" in capsys.readouterr().err
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "run.json").write_text(json.dumps({"model": "dcgan"}))
    assert cli.main(["sample", "--checkpoint", str(plain), "--label", "1"]) == 2
    assert "dcgan is unconditional; labels need one of cgan" in capsys.readouterr().err


def test_wgan_gp_trains_resumes_and_counts_generator_steps(tmp_path):
    """Each WGAN-GP step takes d_steps = 5 minibatches: 80 images of 8 are 2 steps per epoch.
    The paper's networks at 8x8 (``--image-size 8``): the counting and the resume are the same
    at 28x28, at half the tracing time (the 28x28 defaults are
    test_each_registered_model_is_its_papers_trainer_with_its_defaults)."""
    _, out = _train_resume_sample(tmp_path, "wgan_gp", 80, 8, 20, steps_per_epoch=2,
                                  extra=("--image-size", "8"))
    assert "gradient_penalty" in out and "wasserstein_estimate" in out


# --- bad command lines: one "error: ..." line on stderr, exit status 2, before any work ---------

@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if the command gets as far as loading data or building a model."""
    from gan_tf import cli, data

    def fail(*args, **kwargs):
        raise AssertionError("the command loaded data or built a model before failing")

    monkeypatch.setattr(data, "load_arrays", fail)
    monkeypatch.setattr(cli, "_build", fail)
    monkeypatch.setattr(cli, "_translation_data", fail)


def _one_line_error(capsys, args):
    """Run ``main(args)`` in-process; assert exit status 2 and exactly one ``error: ...`` line
    on stderr (no usage block, no traceback); return that line."""
    from gan_tf import cli

    code = cli.main([str(a) for a in args])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


POSITIVE = "expected a positive int (1 or more), got"


@pytest.mark.parametrize("args,message", [
    (["--limit", "0"], f"argument --limit: {POSITIVE} '0'"),
    (["--batch-size", "0"], f"argument --batch-size: {POSITIVE} '0'"),
    (["--latent-dim", "0"], f"argument --latent-dim: {POSITIVE} '0'"),
    (["--epochs", "-1"], f"argument --epochs: {POSITIVE} '-1'"),
    (["--epochs", "0"], f"argument --epochs: {POSITIVE} '0'"),
    (["--epochs", "two"], f"argument --epochs: {POSITIVE} 'two'"),
    (["--image-size", "0"], f"argument --image-size: {POSITIVE} '0'"),
    (["--seed", "-1"], "argument --seed: expected an int >= 0, got '-1'"),
    (["--strategy", "foo"], "argument --strategy: invalid choice: 'foo' (choose from 'auto', "
                            "'tpu', 'mirrored', 'default')"),
    (["--image-size", "30"], "--image-size 30 does not fit dcgan: it needs 28 (the book's "
                             "DCGAN) or a power of two >= 8 (the paper's, e.g. 32 or 64)"),
])
def test_bad_train_arguments_are_one_line_errors_before_any_work(args, message, capsys, no_work,
                                                                  tmp_path):
    """Before: tracebacks (ValueError from gan_tf.data / the models / gan_tf.distribute) or,
    for ``--epochs -1``, exit 0 with an untrained model's metrics."""
    line = _one_line_error(capsys, ["train", "dcgan", "--out", tmp_path / "run", *args])
    assert line == f"error: {message}"
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("model,size", [("wgan_gp", 48), ("lsgan", 4)])
def test_image_size_must_fit_the_dcgan_networks(model, size, capsys, no_work, tmp_path):
    line = _one_line_error(capsys, ["train", model, "--image-size", size, "--out", tmp_path])
    assert line.startswith(f"error: --image-size {size} does not fit {model}: it needs 28")


@pytest.mark.parametrize("args,message", [
    (["--n", "0"], f"argument --n: {POSITIVE} '0'"),
    (["--seed", "-2"], "argument --seed: expected an int >= 0, got '-2'"),
    (["--checkpoint", "missing.keras"],
     "no such file: missing.keras (expected a generator .keras file written by train, "
     "e.g. <run>/generator.keras)"),
])
def test_bad_sample_arguments_are_one_line_errors(args, message, capsys, tmp_path, monkeypatch):
    """Before: a traceback (keras's ValueError "File not found"; the grid's for ``--n 0``)."""
    monkeypatch.chdir(tmp_path)
    line = _one_line_error(capsys, ["sample", "--checkpoint", "missing.keras", *args])
    assert line == f"error: {message}"


def test_a_missing_required_argument_is_one_line(capsys):
    line = _one_line_error(capsys, ["train", "dcgan"])
    assert line == "error: the following arguments are required: --out"


def test_offline_mnist_is_a_one_line_error(capsys, tmp_path, monkeypatch):
    """gan_tf.data's FileNotFoundError (no mnist.npz, no network) is printed as one line.
    Before: a traceback."""
    from gan_tf.data import images

    def no_network(target):
        raise OSError("no network in this test")

    monkeypatch.setattr(images, "_download_mnist", no_network)
    monkeypatch.setenv("GAN_TF_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    line = _one_line_error(capsys, ["train", "dcgan", "--dataset", "mnist",
                                    "--out", tmp_path / "run"])
    assert line.startswith("error: MNIST is not available offline: mnist.npz was not found in ")
    assert "(OSError: no network in this test)" in line
    assert not (tmp_path / "run").exists()


def test_too_few_images_for_one_step_is_a_clear_error(capsys, tmp_path):
    """A WGAN step takes 5 critic minibatches: 100 images give no full step (drop_remainder).
    Before: exit 0, "trained to epoch 5 (0 generator steps)" and an untrained model's metrics."""
    line = _one_line_error(capsys, ["train", "wgan", "--limit", "100", "--out", tmp_path / "run"])
    assert line == ("error: --limit 100 gives no full training step: wgan needs 640 images per "
                    "step (5 critic minibatches of 128); lower --batch-size or raise --limit")
    line = _one_line_error(capsys, ["train", "mlp_gan", "--dataset", "digits", "--batch-size",
                                    "2000", "--out", tmp_path / "run"])
    assert line == ("error: the digits training set (1437 images) gives no full training step: "
                    "mlp_gan needs 2000 images per step (one minibatch of 2000); lower "
                    "--batch-size")
    assert not (tmp_path / "run").exists()


def test_value_errors_raised_by_gan_tf_are_one_line_and_others_keep_their_traceback(
        capsys, tmp_path, monkeypatch):
    """Before: tracebacks for both."""
    from gan_tf import data

    load_arrays = data.load_arrays
    monkeypatch.setattr(data, "load_arrays",  # gan_tf.data itself rejects the split
                        lambda name, split, **kwargs: load_arrays(name, "validation", **kwargs))
    line = _one_line_error(capsys, ["train", "mlp_gan", "--out", tmp_path / "run"])
    assert line.startswith("error: unknown split 'validation'; expected one of")

    def bug(*args, **kwargs):  # a ValueError that gan_tf did not raise on purpose: a bug
        raise ValueError("not raised by gan_tf")

    monkeypatch.setattr(data, "load_arrays", bug)
    from gan_tf import cli

    with pytest.raises(ValueError, match="not raised by gan_tf"):
        cli.main(["train", "mlp_gan", "--out", str(tmp_path / "run")])


def test_bad_arguments_exit_2_at_once_from_the_shell(tmp_path):
    out = _cli("train", "dcgan", "--limit", "0", "--out", "run", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr == f"error: argument --limit: {POSITIVE} '0'\n"
    assert not (tmp_path / "run").exists()


def test_strategy_choices_are_gan_tf_distribute_kinds():
    from gan_tf import cli, distribute

    assert cli.STRATEGIES == distribute.KINDS



# --- chapter 8: pix2pix, cyclegan, stargan and `translate` ------------------------------------

# (model, dataset, arguments): 2, 2 and 1 generator steps at widths of 4 (the smallest networks
# that run the papers' layers; a few seconds of tracing each)
TINY = {
    "pix2pix": ("edges2items", ["--limit", "4", "--batch-size", "2"], 2),
    "cyclegan": ("items2hot", ["--limit", "2", "--batch-size", "1", "--n-blocks", "1"], 2),
    "stargan": ("attributes", ["--limit", "5", "--batch-size", "1", "--n-blocks", "1"], 1),
}


@pytest.fixture(scope="module")
def translator_runs(tmp_path_factory):
    """One tiny trained run of each translation model (in this process), shared by the tests
    below: ``{model: run folder}``. ``--run-eagerly``: tracing these steps would cost 24 s of
    CPU here, running them 10 s (the traced steps are the trainers' tests'; a fresh
    interpreter loads these generators in test_saving)."""
    import contextlib
    import io

    from gan_tf import cli

    root = tmp_path_factory.mktemp("translators")
    runs = {}
    for model, (dataset, args, steps) in TINY.items():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(["train", model, "--dataset", dataset, "--epochs", "1",
                             "--base-filters", "4", "--eval-samples", "8", "--no-progress",
                             "--run-eagerly",
                             "--out", str(root / model), *args])
        assert code == 0, out.getvalue()
        assert f"trained to epoch 1 ({steps} generator steps)" in out.getvalue()
        runs[model] = root / model
    return runs


def test_translation_runs_write_checkpoints_logs_generators_and_scores(translator_runs):
    scores = {"pix2pix": {"l1", "ssim", "accuracy"}, "cyclegan": {"cycle_l1", "l1_ab", "l1_ba"},
              "stargan": {"l1", "reconstruction_l1"}}
    for model, run in translator_runs.items():
        files = ["run.json", "generator.keras", "metrics.json", "checkpoints/checkpoint.json",
                 "samples/translations_epoch_001.png"]
        files += ["inverse_generator.keras"] if model == "cyclegan" else []
        for name in files:
            assert (run / name).exists(), (model, name)
        assert list((run / "logs").rglob("events.out.tfevents.*")), model
        metrics = json.loads((run / "metrics.json").read_text())
        assert metrics["generator_steps"] == TINY[model][2] and metrics["test_images"] == 8
        assert set(metrics) - {"epochs", "generator_steps", "test_images"} == scores[model]
        # untrained networks: far from the ground truth (a mean |error| of ~0.8 in [-1, 1])
        l1 = metrics["l1_ab" if model == "cyclegan" else "l1"]
        assert 0.2 < l1 < 2.0, (model, metrics)
    run = json.loads((translator_runs["stargan"] / "run.json").read_text())
    assert run["labels"] == ["tint", "inverted", "flipped", "thick"]
    assert run["image_shape"] == run["output_shape"] == [32, 32, 3]


def _translated(capsys, args):
    from gan_tf import cli

    assert cli.main([str(a) for a in args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("model,direction,target", [
    ("pix2pix", None, None), ("cyclegan", "ab", None), ("cyclegan", "ba", None),
    ("stargan", None, "tint,flipped")])
def test_translate_writes_the_generators_own_outputs(translator_runs, model, direction, target,
                                                     capsys, tmp_path):
    """The PNGs and translated.npy hold G(x) of the saved generator on the given images:
    uint8 .npy (pix2pix), float .npy in [-1, 1] (stargan), a folder of PNGs (cyclegan)."""
    import keras
    import numpy as np
    from PIL import Image

    from gan_tf import cli
    from gan_tf.data import paired

    run = translator_runs[model]
    name = "inverse_generator.keras" if direction == "ba" else "generator.keras"
    n = 5
    if model == "pix2pix":
        x = paired.edges_to_items(n, "test").source
        source = tmp_path / "edges.npy"
        np.save(source, cli._to_uint8(x))           # uint8 in [0, 255]: exact in [-1, 1]
    elif model == "stargan":
        x = paired.attribute_domains(n, "test").images
        source = tmp_path / "images.npy"
        np.save(source, x)
    else:
        grey = paired.load_items(n, "test")[0]
        x = grey if direction == "ab" else paired.restyle(grey)
        source = tmp_path / "pngs"
        source.mkdir()
        for i, image in enumerate(cli._to_uint8(x)):
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
                source / f"{i}.png")
        x = cli._to_uint8(x).astype("float32") / 127.5 - 1.0
        if direction == "ab":                       # grey PNGs to the RGB domain X
            x = np.repeat(x, 3, axis=-1)
    args = ["translate", "--checkpoint", run, "--input", source, "--out", tmp_path / "out"]
    args += [] if direction is None else ["--direction", direction]
    args += [] if target is None else ["--target-label", target]
    assert f"wrote {n} translated images to" in _translated(capsys, args)
    got = np.load(tmp_path / "out" / "translated.npy")
    generator = keras.saving.load_model(run / name)
    if model == "stargan":
        want = generator([x, np.tile([[1, 0, 1, 0]], (n, 1)).astype("float32")], training=False)
        other = generator([x, np.zeros((n, 4), "float32")], training=False)
        assert np.abs(np.asarray(other) - got).max() > 1e-4        # the label matters
    else:
        want = generator(x, training=False)
    want = np.asarray(want)
    assert got.shape == want.shape == (n, 32, 32, 3 if model != "pix2pix" else 1)
    np.testing.assert_allclose(got, want, atol=1e-5)
    if model == "pix2pix":    # test-time dropout: a second call draws other masks
        assert np.abs(np.asarray(generator(x, training=False)) - want).max() > 1e-4
    pngs = sorted((tmp_path / "out" / "images").glob("*.png"))
    assert len(pngs) == n
    stack = np.stack([np.asarray(Image.open(p)) for p in pngs]).reshape(want.shape)
    assert np.abs(stack.astype(int) - cli._to_uint8(want).astype(int)).max() <= 1
    assert (tmp_path / "out" / "grid.png").stat().st_size > 1000


@pytest.mark.parametrize("model,args,message", [
    ("pix2pix", ["--input", "small.npy"],
     "--input: the images are 28x28, the generator takes 32x32 (resize them first)"),
    ("pix2pix", ["--input", "rgb.npy"],
     "--input: the images are RGB (3 channels), the generator takes grey (1 channel)"),
    ("pix2pix", ["--input", "wide.npy"],
     "--input wide.npy: float images must lie in [-1, 1] (or give uint8 in [0, 255]); got "
     "values in [-2, 2]"),
    ("pix2pix", ["--input", "flat.npy"],
     "--input flat.npy: expected images (N, H, W, C) or grey (N, H, W), got an array of shape "
     "(32, 32)"),
    ("pix2pix", ["--input", "missing.png"], "--input missing.png: no such file or folder"),
    ("pix2pix", ["--input", "rgb.npy", "--target-label", "1,0"],
     "--target-label: pix2pix has no target domain (only stargan takes one)"),
    ("pix2pix", ["--input", "rgb.npy", "--direction", "ba"],
     "--direction ba: pix2pix has one generator; only cyclegan translates both ways"),
    ("stargan", ["--input", "rgb.npy", "--target-label", "1,0,1"],
     "--target-label 1,0,1: the generator takes 4 labels (tint, inverted, flipped, thick), "
     "got 3 values"),
    ("stargan", ["--input", "rgb.npy", "--target-label", "tint,blond"],
     "--target-label tint,blond: unknown attribute 'blond'; known: tint, inverted, flipped, "
     "thick (or none, or 4 values 0/1)"),
    ("stargan", ["--input", "rgb.npy", "--target-label", "1,0,2,0"],
     "--target-label 1,0,2,0: expected 0 or 1 for each label"),
    ("stargan", ["--input", "rgb.npy"],
     "stargan needs --target-label: 4 values 0/1 or the attributes to turn on, from tint, "
     "inverted, flipped, thick"),
])
def test_bad_translate_arguments_are_one_line_errors(translator_runs, model, args, message,
                                                     capsys, tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.chdir(tmp_path)
    np.save("small.npy", np.zeros((2, 28, 28, 1), "float32"))
    np.save("rgb.npy", np.zeros((2, 32, 32, 3), "float32"))
    np.save("wide.npy", np.full((2, 32, 32, 1), 2.0, "float32") * [[[[1]]], [[[-1]]]])
    np.save("flat.npy", np.zeros((32, 32), "float32"))
    line = _one_line_error(capsys, ["translate", "--checkpoint", translator_runs[model], *args])
    assert line == f"error: {message}"
    assert not (translator_runs[model] / "translated").exists()


def test_translate_without_a_generator_is_a_one_line_error(translator_runs, capsys, tmp_path):
    """An unfinished run (no generator.keras yet), a noise model's run, a missing file, and a
    translation run given to ``sample``."""
    run = tmp_path / "unfinished"
    run.mkdir()
    shutil.copy(translator_runs["cyclegan"] / "run.json", run / "run.json")
    line = _one_line_error(capsys, ["translate", "--checkpoint", run, "--input", "x.npy"])
    assert line == (f"error: no generator.keras in {run}: train writes it when it finishes "
                    "(run the train command again to finish it)")
    (run / "run.json").write_text(json.dumps({"model": "dcgan"}))
    line = _one_line_error(capsys, ["translate", "--checkpoint", run, "--input", "x.npy"])
    assert line.startswith(f"error: {run} is a dcgan run, which generates from noise: use sample")
    line = _one_line_error(capsys, ["translate", "--checkpoint", tmp_path / "g.keras",
                                    "--input", "x.npy"])
    assert line.startswith(f"error: no such file: {tmp_path / 'g.keras'} (expected a generator")
    line = _one_line_error(capsys, ["sample", "--checkpoint", translator_runs["pix2pix"]])
    assert line.startswith("error: pix2pix translates images: use python -m gan_tf translate")


@pytest.mark.parametrize("model,args,message", [
    ("pix2pix", ["--dataset", "facades"],
     "unknown data set 'facades' for pix2pix; known: edges2items, hole2items"),
    ("cyclegan", ["--dataset", "horse2zebra"],
     "unknown data set 'horse2zebra' for cyclegan; known: items2hot, items2stripes, "
     "sneakers2boots"),
    ("stargan", ["--dataset", "celeba"], "unknown data set 'celeba' for stargan; known: attributes"),
    ("pix2pix", ["--image-size", "64"],
     "--image-size: pix2pix trains on the 32x32 images of gan_tf.data.paired (no resize)"),
    ("cyclegan", ["--latent-dim", "8"], "--latent-dim: cyclegan has no z (it translates images)"),
    ("pix2pix", ["--n-blocks", "2"],
     "--n-blocks sets the ResNet generators of cyclegan and stargan; pix2pix's U-Net has none"),
    ("stargan", ["--base-filters", "0"], f"argument --base-filters: {POSITIVE} '0'"),
])
def test_bad_translation_train_arguments_are_one_line_errors_before_any_work(
        model, args, message, capsys, no_work, tmp_path):
    line = _one_line_error(capsys, ["train", model, "--out", tmp_path / "run", *args])
    assert line == f"error: {message}"
    assert not (tmp_path / "run").exists()


def test_width_options_are_for_the_translation_models(capsys, no_work, tmp_path):
    line = _one_line_error(capsys, ["train", "dcgan", "--base-filters", "8", "--out", tmp_path])
    assert line == ("error: --base-filters sets the widths of the translation models (pix2pix, "
                    "cyclegan, stargan), not of dcgan")


@pytest.mark.parametrize("model,trainer,lr,betas,d_steps", [
    ("pix2pix", "Pix2Pix", 2e-4, (0.5, 0.999), 1),
    ("cyclegan", "CycleGAN", 2e-4, (0.5, 0.999), 1),
    ("stargan", "StarGAN", 1e-4, (0.5, 0.999), 5),
])
def test_each_translation_model_is_its_papers_trainer_with_its_defaults(model, trainer, lr,
                                                                         betas, d_steps):
    """Adam with the paper's rates; CycleGAN and StarGAN decay linearly to 0 over the second
    half of the run's steps (StarGAN's critic counting its 5 updates per step); the papers'
    networks: a U-Net with test-time dropout and a PatchGAN on (input, output) pairs; ResNet
    generators and instance-norm PatchGANs; StarGAN's label-tiling generator."""
    from gan_tf import cli, distribute, layers

    dataset = TINY[model][0]
    channels = {"pix2pix": (1, 1), "cyclegan": (3, 3), "stargan": (3, 3)}[model]
    run = {"model": model, "dataset": dataset, "image_shape": [32, 32, channels[0]],
           "output_shape": [32, 32, channels[1]], "base_filters": 4, "n_blocks": 1,
           "labels": ["tint", "inverted", "flipped", "thick"], "seed": 0,
           "precision": "float32", "jit": False}
    gan = cli._make_trainer(run, distribute.strategy("default"), total_steps=10)
    assert type(gan).__name__ == trainer
    assert cli.batch_per_step(gan, 16) == 16 * d_steps
    for opt, steps in ((gan.g_optimizer, 10), (gan.d_optimizer, 10 * d_steps)):
        assert type(opt).__name__ == "Adam" and (opt.beta_1, opt.beta_2) == betas
        schedule = opt._learning_rate
        if model == "pix2pix":
            assert float(opt.learning_rate) == pytest.approx(lr)
        else:
            assert type(schedule).__name__ == "LinearDecay"
            assert schedule.initial_learning_rate == pytest.approx(lr)
            assert schedule.total_steps == steps
            assert float(schedule(steps // 2)) == pytest.approx(lr)
            assert float(schedule(steps)) == 0.0
    kinds = {type(layer) for layer in gan.generator._flatten_layers()}
    if model == "pix2pix":
        assert layers.AlwaysOnDropout in kinds and gan.objective == "l1+cgan"
        assert gan.lambda_l1 == 100.0 and isinstance(gan.discriminator.input_shape, list)
    elif model == "cyclegan":
        assert {layers.ReflectionPadding2D, layers.InstanceNormalization} <= kinds
        assert (gan.lambda_cycle, gan.lambda_identity, gan.pool_size) == (10.0, 5.0, 50)
    else:
        assert layers.TileLabels in kinds and gan.label_dim == 4
        assert (gan.gp_weight, gan.cls_weight, gan.rec_weight) == (10.0, 1.0, 10.0)
