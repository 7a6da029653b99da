"""python -m gan_tf: train, resume by rerunning, sample; clear errors for unknown names."""

import json
import subprocess
import sys

import pytest


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gan_tf", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def _train_resume_sample(tmp_path, model, limit, batch_size, eval_samples, steps_per_epoch):
    """Train 1 epoch, rerun the same command to 2 epochs (a resume), then sample from the run;
    returns the run folder and the second run's output."""
    run = tmp_path / "run"
    common = ["train", model, "--dataset", "fashion_mnist", "--limit", str(limit),
              "--batch-size", str(batch_size), "--eval-samples", str(eval_samples),
              "--out", str(run), "--no-progress"]
    first = _cli(*common, "--epochs", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"trained to epoch 1 ({steps_per_epoch} generator steps)" in first.stdout
    second = _cli(*common, "--epochs", "2", cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert (f"trained to epoch 2 ({2 * steps_per_epoch} generator steps, resumed from epoch 1)"
            in second.stdout)
    sample = _cli("sample", "--checkpoint", str(run), "--n", "16", cwd=tmp_path)
    assert sample.returncode == 0, sample.stderr[-3000:]
    assert (run / "sample_grid.png").stat().st_size > 1000
    return run, second.stdout


def test_train_resume_and_sample(tmp_path):
    run, _ = _train_resume_sample(tmp_path, "mlp_gan", 512, 128, 200, steps_per_epoch=4)
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
])
def test_each_registered_model_is_its_papers_trainer_with_its_defaults(model, trainer, optimizer,
                                                                        d_steps):
    import keras

    from gan_tf import cli, distribute

    run = {"model": model, "image_shape": [28, 28, 1], "latent_dim": 100, "seed": 0,
           "precision": "float32", "jit": False}
    gan = cli._make_trainer(run, distribute.strategy("default"))
    assert type(gan).__name__ == trainer and gan.d_steps == d_steps
    assert cli.batch_per_step(gan, 64) == 64 * d_steps
    for opt in (gan.d_optimizer, gan.g_optimizer):
        name, lr, beta_1, beta_2 = optimizer
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


def test_wgan_gp_trains_resumes_and_counts_generator_steps(tmp_path):
    """Each WGAN-GP step takes d_steps = 5 minibatches: 640 images of 64 are 2 steps per epoch."""
    _, out = _train_resume_sample(tmp_path, "wgan_gp", 640, 64, 100, steps_per_epoch=2)
    assert "gradient_penalty" in out and "wasserstein_estimate" in out
