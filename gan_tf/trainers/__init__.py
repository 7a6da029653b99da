"""Training algorithms as ``keras.Model`` subclasses trained with ``fit()``.

``GAN`` holds the shared, tested training loop; later algorithms (WGAN, WGAN-GP, ...)
override its loss hooks. ``VAE`` trains an encoder/decoder pair on the ELBO.
See chapters 3 and 4.
"""

from gan_tf.trainers._common import LinearDecay  # noqa: F401
from gan_tf.trainers.gan import GAN  # noqa: F401
from gan_tf.trainers.vae import VAE  # noqa: F401
from gan_tf.trainers.wgan import LSGAN, WGAN, WGANGP  # noqa: F401
from gan_tf.trainers.conditional import ACGAN, ConditionalGAN  # noqa: F401
from gan_tf.trainers.infogan import InfoGAN  # noqa: F401
from gan_tf.trainers.semi_supervised import SGAN  # noqa: F401
from gan_tf.trainers.srgan import SRGAN, SRResNet, train_patch_features  # noqa: F401
from gan_tf.trainers.lapgan import LAPGAN, LAPGANLevel, build_lapgan  # noqa: F401
from gan_tf.trainers.text_to_image import GANCLS, StyleEncoder, transfer_style  # noqa: F401
from gan_tf.trainers.stackgan import StackGANStage1, StackGANStage2, StackGANv2  # noqa: F401
from gan_tf.trainers.gawwn import GAWWN, KeypointGAN  # noqa: F401
from gan_tf.trainers.joint_embedding import JointEmbedding  # noqa: F401
from gan_tf.trainers.cyclegan import CycleGAN  # noqa: F401
from gan_tf.trainers.pix2pix import Pix2Pix  # noqa: F401
from gan_tf.trainers.stargan import StarGAN  # noqa: F401
from gan_tf.trainers.encoder import ProjectionEncoder  # noqa: F401
