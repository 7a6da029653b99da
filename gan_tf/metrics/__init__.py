"""Evaluation metrics for generative models and the feature extractors they use.

- ``frechet_distance`` (FID, arXiv:1706.08500), ``kernel_inception_distance`` (KID,
  arXiv:1801.01401), ``inception_score`` (arXiv:1606.03498), ``precision_recall``
  (arXiv:1904.06991), ``class_coverage`` (mode coverage), ``memorisation`` (nearest
  training image, arXiv:1406.2661 figure 2);
- ``mode_coverage``: modes captured, % high-quality samples and reverse KL on mixtures with
  known centres (the VEEGAN/PacGAN 2-D ring and grid protocol, arXiv:1705.07761, 1712.04086);
- ``load_classifier`` / ``feature_extractor`` / ``get_extractor`` / ``embed``: the domain
  classifier shipped in ``data/models/`` (SHA-256 checked) or, on request and when its
  ImageNet weights load, InceptionV3;
- ``evaluate(generator, dataset)``: all of them at once.

Works offline by default. See chapter 5.5.
"""

from gan_tf.metrics.features import (  # noqa: F401
    embed,
    feature_extractor,
    get_extractor,
    inception_features_available,
    load_classifier,
)
from gan_tf.metrics.scores import (  # noqa: F401
    class_coverage,
    frechet_distance,
    frechet_distance_gaussians,
    inception_score,
    kernel_inception_distance,
    memorisation,
    precision_recall,
)
from gan_tf.metrics.evaluate import evaluate  # noqa: F401
from gan_tf.metrics.modes import mode_coverage  # noqa: F401
from gan_tf.metrics.conditional import evaluate_per_class  # noqa: F401
from gan_tf.metrics.clustering import match_clusters  # noqa: F401
from gan_tf.metrics.fidelity import (  # noqa: F401
    feature_distance,
    laplacian_energy_ratio,
    psnr,
    ssim,
    y_channel,
)
from gan_tf.metrics.captions import (  # noqa: F401
    box_iou,
    caption_accuracy,
    check_captions,
    keypoint_error,
    measure_scenes,
)
from gan_tf.metrics.retrieval import (  # noqa: F401
    caption_matches,
    retrieval_scores,
    scene_retrieval,
)
from gan_tf.metrics.scene_features import (  # noqa: F401
    load_scene_classifier,
    scene_feature_extractor,
)
from gan_tf.metrics.text_to_image import (  # noqa: F401
    box_control_iou,
    box_sweep,
    caption_diversity,
    keypoint_control_error,
    keypoint_sweep,
    text_to_image_scores,
)
