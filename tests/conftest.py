import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _outputs_in_tmp(tmp_path, monkeypatch):
    """No test writes into the checkout's outputs/ folder."""
    monkeypatch.setenv("GAN_TF_OUTPUTS", str(tmp_path / "outputs"))
