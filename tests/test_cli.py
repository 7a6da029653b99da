"""python -m gan_tf: train, resume by rerunning, sample; clear errors for unknown names."""

import json
import subprocess
import sys

import pytest


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gan_tf", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_train_resume_and_sample(tmp_path):
    run = tmp_path / "run"
    common = ["train", "mlp_gan", "--dataset", "fashion_mnist", "--limit", "512",
              "--batch-size", "128", "--eval-samples", "200", "--out", str(run), "--no-progress"]
    first = _cli(*common, "--epochs", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "trained to epoch 1 (4 generator steps)" in first.stdout
    second = _cli(*common, "--epochs", "2", cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "trained to epoch 2 (8 generator steps, resumed from epoch 1)" in second.stdout
    for name in ("run.json", "generator.keras", "metrics.json", "samples/samples_epoch_001.png",
                 "samples/samples_epoch_002.png", "checkpoints/checkpoint.json"):
        assert (run / name).exists(), name
    assert list((run / "logs").rglob("events.out.tfevents.*")), "no TensorBoard logs"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["generator_steps"] == 8 and metrics["fid"] > 0
    sample = _cli("sample", "--checkpoint", str(run), "--n", "16", cwd=tmp_path)
    assert sample.returncode == 0, sample.stderr[-3000:]
    assert (run / "sample_grid.png").stat().st_size > 1000


@pytest.mark.parametrize("args,message", [
    (["train", "wgan", "--out", "x"], "unknown model 'wgan'; known models: mlp_gan, dcgan"),
    (["train", "dcgan", "--dataset", "cifar", "--out", "x"],
     "unknown data set 'cifar'; known: fashion_mnist, mnist, digits"),
    (["sample", "--checkpoint", "nowhere"], "not a training run"),
])
def test_unknown_names_are_clear_errors(args, message, tmp_path):
    out = _cli(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert message in out.stderr
