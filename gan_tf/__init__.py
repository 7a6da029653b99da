"""gan_tf: Keras 3 / TensorFlow 2 companion to the GAN textbook.

Submodules are imported explicitly (``from gan_tf import config, data, models, trainers``)
so that ``import gan_tf`` stays cheap and does not start TensorFlow.
"""

__version__ = "0.1.0"
