"""The kill -9 and resume machinery the trainer tests share (tests/test_callbacks.py for the
shared loop, tests/test_trainers_cyclegan.py for CycleGAN's own step).

A test writes the body of ``train(order)`` (build, compile, fit with ``callbacks.Checkpoint(
run_dir)`` and ``pause_callbacks()``, then save the final weights to ``run_dir +
"/final.npy"`` and print ``DONE <order> <steps>``); ``script(train)`` makes it a program
``python -c SCRIPT root epochs pause_after orders``, and ``kill_and_resume`` runs it straight,
killed with SIGKILL after epoch ``pause_after``, and resumed."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

HEAD = textwrap.dedent(r"""
    import sys, time
    import keras, numpy as np, tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    root, epochs, pause_after, orders = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

    class Pause(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == pause_after:
                print("PAUSED", flush=True)
                time.sleep(600)   # the test kills us here, after the checkpoint was written

    def pause_callbacks():
        return [Pause()] if pause_after else []
""")

TAIL = textwrap.dedent(r"""
    # several orders one after the other in one interpreter: each start of TensorFlow costs
    # seconds (each run seeds itself, so the runs do not depend on one another)
    for order in orders.split(","):
        train(order)
""")


def script(train):
    """The program for the ``train(order)`` definition ``train`` (source text)."""
    return HEAD + textwrap.dedent(train) + TAIL


def start(program, root, epochs, orders, pause_after=0):
    return subprocess.Popen([sys.executable, "-c", program, str(root), str(epochs),
                             str(pause_after), ",".join(orders)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def kill_and_resume(program, root, orders, epochs, pause_after, timeout=240):
    """Per order: a straight run of ``epochs``, a run killed with SIGKILL after epoch
    ``pause_after`` and the same command rerun on its folder (a resume). The straight runs of all
    orders share one process, the killed runs have one each (all start together) and the
    resumes share one; returns {order: what each step printed and left on disk}."""
    straight = start(program, root / "straight", epochs, orders)
    killed = {order: start(program, root / "resumed", epochs, [order], pause_after)
              for order in orders}
    runs = {order: {} for order in orders}
    try:
        for order, proc in killed.items():
            deadline = time.time() + timeout
            line = ""
            while "PAUSED" not in line and time.time() < deadline:
                line = proc.stdout.readline()
                if not line and proc.poll() is not None:
                    break
            runs[order]["paused"] = line
            if "PAUSED" not in line:
                runs[order]["killed_stderr"] = proc.stderr.read()[-2000:]
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            pointer = root / "resumed" / order / "checkpoints" / "checkpoint.json"
            runs[order]["pointer"] = json.loads(pointer.read_text()) if pointer.exists() else None
        for name, proc in (("straight", straight),
                           ("resumed", start(program, root / "resumed", epochs, orders))):
            out, err = proc.communicate(timeout=timeout)
            for order in orders:
                runs[order][name] = (proc.returncode, out, err[-2000:],
                                     root / name / order / "final.npy")
    finally:
        for proc in [straight, *killed.values()]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return runs
