"""Large, sharp codes in large scenes: read at any module size from 4 to 20 pixels, positions in image pixels."""

import numpy as np
import pytest

import barreader
from barreader.synth import random_text, render_code


def _scene(code: np.ndarray, shape: tuple[int, int], rng: np.random.Generator, centre: bool = False) -> tuple:
    """The code pasted into a light, faintly textured scene; returns the scene and the code's top-left corner."""
    height, width = shape
    scene = np.clip(rng.normal(200.0, 6.0, shape), 0, 255).astype(np.uint8)
    top = (height - code.shape[0]) // 2 if centre else int(rng.integers(0, height - code.shape[0] + 1))
    left = (width - code.shape[1]) // 2 if centre else int(rng.integers(0, width - code.shape[1] + 1))
    scene[top : top + code.shape[0], left : left + code.shape[1]] = code
    return scene, (left, top)


@pytest.mark.parametrize("ppm, shape", [(4.0, (1200, 1600)), (8.0, (1200, 1600)), (12.0, (1200, 1600)),
                                        (16.0, (3000, 4000)), (20.0, (3000, 4000))])
def test_sharp_codes_read_at_every_module_size(ppm, shape):
    rng = np.random.default_rng(int(ppm))
    for fmt in ("EAN-13", "UPC-A"):
        code = render_code(random_text(fmt, rng), fmt, px_per_module=ppm, blur=0.3, noise=0.02, height=int(30 * ppm),
                           rng=rng)
        scene, (left, top) = _scene(code.image, shape, rng)
        found = barreader.read(scene)
        assert [b.text for b in found] == [code.text]
        # The box lies on the code, in the scene's own pixels.
        box = found[0].position
        assert left - 2 * ppm <= box[:, 0].min() and box[:, 0].max() <= left + code.image.shape[1] + 2 * ppm
        assert top - 2 * ppm <= box[:, 1].min() and box[:, 1].max() <= top + code.image.shape[0] + 2 * ppm


def test_a_code_filling_nine_tenths_of_the_frame_width():
    rng = np.random.default_rng(9)
    width = 1600
    ppm = 0.9 * width / (95 + 2 * 10)  # EAN-13: 95 modules and two quiet zones of 10
    code = render_code("5901234123457", "EAN-13", px_per_module=ppm, blur=0.3, noise=0.02, height=500, rng=rng)
    scene, _ = _scene(code.image, (1200, width), rng, centre=True)
    assert [b.text for b in barreader.read(scene)] == ["5901234123457"]
