"""gan_tf: Keras 3 / TensorFlow 2 companion to the GAN textbook.

Submodules are imported explicitly (``from gan_tf import config, data, models, trainers``).
``import gan_tf`` itself stays cheap and starts neither Keras nor TensorFlow (so
``python -m gan_tf --help`` answers at once), yet a saved gan_tf model loads after
``import gan_tf`` alone: ``keras.saving.load_model("generator.keras")`` needs gan_tf's custom
layers (``gan_tf.layers``, registered under ``gan_tf>``) and Keras imports no module outside
its own packages to find them. So ``gan_tf.layers`` is imported as soon as Keras is: at once
when Keras is already loaded, otherwise right after the first ``import keras`` (directly,
through ``import tensorflow``, or through any gan_tf submodule). See chapter 4.2.
"""

import importlib
import sys

__version__ = "0.1.0"


class _RegisterLayersAfterKeras:
    """A ``sys.meta_path`` finder: finds ``keras`` with the other finders, and has the loader
    import ``gan_tf.layers`` (registering the custom layers) once Keras has executed; then it
    leaves ``sys.meta_path``. (A mere ``importlib.util.find_spec("keras")``, which TensorFlow
    makes, imports nothing and so keeps it in place.)"""

    def find_spec(self, name, path=None, target=None):
        if name != "keras":
            return None
        spec = None
        for finder in [f for f in sys.meta_path if f is not self]:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find else None
            if spec is not None:
                break
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader, exec_module = spec.loader, spec.loader.exec_module

        def exec_then_register(module):
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            vars(loader).pop("exec_module", None)  # back to the loader's own method
            exec_module(module)
            importlib.import_module("gan_tf.layers")

        loader.exec_module = exec_then_register
        return spec


if "keras" in sys.modules:
    importlib.import_module("gan_tf.layers")
elif not any(type(f).__name__ == "_RegisterLayersAfterKeras" for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterLayersAfterKeras())
