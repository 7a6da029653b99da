"""Every chapter notebook runs top to bottom in the smoke profile and writes its figures;
committed notebooks carry no outputs."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import execute, notebook_paths  # noqa: E402

# The figures each notebook must write under outputs/<stem>/.
EXPECTED_FIGURES = {
    "ch03a_generative_models": [
        "fig3-3_ae_reconstructions.png", "fig3-4_ae_random_codes.png", "vae_random_codes.png",
        "ae_vs_vae_random_codes.png", "vae_losses.png", "fig3-6_latent_manifold.png",
        "latent_scatter_by_class.png",
    ],
    "ch03b_gan_maths": [
        "kl_asymmetry.png", "optimal_discriminator.png", "value_vs_jsd.png",
        "fig3-11_stage1.png", "fig3-12_stage2.png", "fig3-13_stage3.png",
        "gan1d_three_stages.png", "gan1d_losses.png", "gan1d_equilibrium_test.png",
    ],
    "ch04_dcgan": [
        "fig4-9_mlp_vs_dcgan.png", "losses.png", "fig4-19_interpolation.png",
        "fig4-17_vector_arithmetic.png", "fig4-20_inpainting_centre.png",
        "fig4-20_inpainting_random.png", "fig4-14_d_filters.png", "fig4-14_d_feature_maps.png",
        "fig4-15_zeroed_feature_map.png", "mlp_gan/samples_epoch_002.png",
        "dcgan/samples_epoch_002.png",
    ],
    "ch05_wgan": [
        "fig5-4_parallel_lines.png", "fig5-2_vanishing_gradients.png",
        "fig5-3_nonsaturating_gradients.png", "fig5-6_wasserstein_estimate.png",
        "fig5-7_gan_discriminator_loss.png", "fig5-8_to_5-13_robustness.png",
        "runs/dcgan_gan.png", "runs/dcgan_wgan_gp.png", "runs/dcgan_no_bn_gan.png",
        "runs/dcgan_no_bn_wgan_gp.png", "runs/mlp_gan.png", "runs/mlp_wgan_gp.png",
        "fig5-14_ring_mode_collapse.png", "ring_losses_vs_exact_w1.png",
        "fig5-15_value_surfaces.png", "fig5-16_gradient_norms.png",
        "fig5-16_weight_histograms.png",
    ],
    "ch06a_conditional_gans": [
        "cgan_class_grid.png", "cgan_per_class.png", "cgan_mlp_class_grid.png",
        "laplacian_pyramid.png", "fig6-4_lapgan_levels.png", "fig6-5_realness.png",
        "lapgan_samples.png", "fig6-6_super_resolution.png",
    ],
    "ch06b_semi_unsupervised_gans": [
        "fig6-11_kmeans.png", "sgan_accuracy.png", "sgan_samples.png",
        "fig6-10_cgan_vs_acgan_samples.png", "cgan_vs_acgan_per_class.png",
        "fig6-13_infogan_traversals.png", "infogan_categories.png",
        "infogan_mutual_information.png",
    ],
    "ch07a_text_to_image": [
        "scenes_with_captions.png", "fig7-1_one_caption_many_scenes.png",
        "text_encoder_retrieval.png", "four_way_losses.png", "four_way_scores.png",
        "fig7-4_four_way_comparison.png", "fig7-3_samples_from_captions.png",
        "fig7-6_style_transfer.png", "fig7-16_caption_interpolation.png", "your_caption.png",
    ],
    "ch07b_gawwn": [
        "scenes_boxes_keypoints.png", "fig7-10_box_control.png", "fig7-7_row1_box.png",
        "gawwn_box_iou.png", "fig7-11_keypoint_control.png", "fig7-7_row3_one_keypoint.png",
    ],
    "ch07c_stackgan": [
        "scenes_32_64.png", "fig7-12_7-14_stage1_vs_stage2.png",
        "fig7-15_conditioning_augmentation.png", "fig7-16_stackgan_interpolation.png",
        "fig7-20_v2_scales.png", "stackgan_scores.png", "fig7-23_v1_vs_v2_diversity.png",
    ],
}
NOTEBOOKS = notebook_paths()


def test_every_notebook_has_a_figure_list_and_a_study_guide():
    stems = {p.stem for p in NOTEBOOKS}
    assert stems == set(EXPECTED_FIGURES), "add the new notebook's figures to EXPECTED_FIGURES"
    for stem in stems:
        assert (ROOT / "chapters" / f"{stem}.md").exists(), f"chapters/{stem}.md is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: strip them"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_smoke_profile_and_writes_figures(path, tmp_path):
    outputs = tmp_path / "outputs"
    executed, seconds = execute(path, tmp_path / "executed", "smoke", outputs_root=outputs,
                                timeout=600)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    figures = outputs / path.stem
    missing = [f for f in EXPECTED_FIGURES[path.stem] if not (figures / f).is_file()]
    assert not missing, f"{path.stem} did not write {missing}"
    for f in EXPECTED_FIGURES[path.stem]:
        assert (figures / f).stat().st_size > 2000, f"{f} looks empty"
    assert seconds < 300, f"{path.stem} took {seconds:.0f} s in the smoke profile"
