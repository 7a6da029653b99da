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
