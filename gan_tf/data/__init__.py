"""Image data sets as ``tf.data.Dataset`` s of NHWC float32 images in [-1, 1].

``load_images(name, ...)`` is the one entry point; ``load_arrays`` gives the same data as
NumPy arrays (for metrics and plots). Names:

- ``fashion_mnist``: the real Fashion-MNIST (Xiao et al., arXiv:1708.07747), shipped in
  ``data/fashion-mnist/`` as the four IDX ``.gz`` files (MIT licence). Works offline.
- ``mnist``: ``mnist.npz`` from ``data/cache/``; downloaded there through
  ``keras.utils.get_file`` when there is a network.
- ``digits``: scikit-learn's 8x8 handwritten digits (1,797 images, UCI ML repository).
- ``tfds:<name>``: any TensorFlow Datasets image set (needs ``tensorflow-datasets`` and a
  network or a prepared ``data_dir``).

See chapter 3.1.
"""

from gan_tf.data.images import (  # noqa: F401
    KNOWN_DATASETS,
    CLASS_NAMES,
    load_arrays,
    load_images,
    drop_small_batches,
    epoch_variable,
    to_dataset,
)
from gan_tf.data.labelled import (  # noqa: F401
    few_label_split,
    labelled_dataset,
    load_labelled,
    pad_images,
    semi_supervised_dataset,
)
from gan_tf.data.photos import (  # noqa: F401
    load_photo,
    patch_sources,
    photo_names,
    sr_dataset,
    sr_patches,
)
from gan_tf.data import labelled, photos, toy  # noqa: F401
from gan_tf.data.scenes import (  # noqa: F401
    MAX_WORDS,
    NUM_KEYPOINTS,
    VOCABULARY,
    Scenes,
    captioned_dataset,
    make_scenes,
    parse_caption,
    tokenize,
)
from gan_tf.data import scenes  # noqa: F401
from gan_tf.data.paired import (  # noqa: F401
    ATTRIBUTE_NAMES,
    AttributeDomains,
    Pairs,
    Unpaired,
    apply_attributes,
    attribute_dataset,
    attribute_domains,
    digit_domains,
    edges_to_items,
    failure_domain,
    hole_to_items,
    mask_vector_dataset,
    paired_dataset,
    unified_labels,
    unpaired_classes,
    unpaired_dataset,
    unpaired_restyle,
)
from gan_tf.data import paired  # noqa: F401
