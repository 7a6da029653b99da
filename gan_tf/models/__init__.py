"""Architectures: ``build_<arch>_<role>(...)`` returning a named ``keras.Model``.

No losses and no training here (that is ``gan_tf.losses`` and ``gan_tf.trainers``).
See chapters 3 and 4.
"""

from gan_tf.models.mlp import build_mlp_discriminator, build_mlp_generator  # noqa: F401
from gan_tf.models.autoencoder import (  # noqa: F401
    build_autoencoder,
    build_conv_decoder,
    build_conv_encoder,
    build_dense_decoder,
    build_dense_encoder,
)
from gan_tf.models.vae import build_vae_decoder, build_vae_encoder  # noqa: F401
from gan_tf.models.classifier import build_classifier  # noqa: F401
from gan_tf.models.dcgan import build_dcgan_discriminator, build_dcgan_generator  # noqa: F401
from gan_tf.models.conditional import (  # noqa: F401
    build_acgan_discriminator,
    build_acgan_generator,
    build_cgan_mlp_discriminator,
    build_cgan_mlp_generator,
    build_conditional_dcgan_discriminator,
    build_conditional_dcgan_generator,
)
from gan_tf.models.infogan import (  # noqa: F401
    build_infogan_discriminator,
    build_infogan_generator,
)
from gan_tf.models.semi_supervised import build_sgan_discriminator  # noqa: F401
from gan_tf.models.srgan import (  # noqa: F401
    build_patch_feature_network,
    build_srgan_discriminator,
    build_srresnet_generator,
    build_vgg19_features,
)
from gan_tf.models.lapgan import (  # noqa: F401
    build_lapgan_coarse_discriminator,
    build_lapgan_coarse_generator,
    build_lapgan_level_discriminator,
    build_lapgan_level_generator,
)
from gan_tf.models.text_to_image import (  # noqa: F401
    build_style_encoder,
    build_text_dcgan_discriminator,
    build_text_dcgan_generator,
)
from gan_tf.models.stackgan import (  # noqa: F401
    CA_NAME,
    build_conditioning_augmentation,
    build_stackgan_discriminator,
    build_stackgan_stage1_generator,
    build_stackgan_stage2_generator,
    build_stackgan_v2_discriminators,
    build_stackgan_v2_generator,
)
from gan_tf.models.gawwn import (  # noqa: F401
    build_gawwn_box_discriminator,
    build_gawwn_box_generator,
    build_gawwn_keypoint_discriminator,
    build_gawwn_keypoint_generator,
    build_keypoint_discriminator,
    build_keypoint_generator,
)
from gan_tf.models.text import (  # noqa: F401
    build_scene_image_encoder,
    build_text_encoder,
    encode_captions,
    load_scene_image_encoder,
    load_text_encoder,
    TextConditioning,
)
from gan_tf.models.scene_classifier import build_scene_classifier  # noqa: F401
from gan_tf.models.unet import (  # noqa: F401
    build_encoder_decoder_generator,
    build_unet_generator,
)
from gan_tf.models.patchgan import (  # noqa: F401
    build_patchgan_discriminator,
    patchgan_layers,
    receptive_field,
)
from gan_tf.models.translation import (  # noqa: F401
    build_resnet_generator,
    build_stargan_discriminator,
    build_stargan_generator,
)
from gan_tf.models.encoder import build_projection_encoder  # noqa: F401
