"""The gradient-energy localizer's components."""

import cv2
import numpy as np

from barreader.localize.gradient import _components, gradient_regions
from barreader.synth import render_code


def test_component_energies_are_the_sums_of_energy_over_each_component():
    rng = np.random.default_rng(4)
    energy = cv2.blur(rng.normal(0.0, 1.0, (120, 160)).astype(np.float32), (9, 5))
    closing = np.ones((5, 9), np.uint8)
    found = _components(energy, 16, closing)
    assert len(found) >= 2
    # The same mask, labelled again, summed over every pixel of each label.
    positive = np.clip(energy, 0, None)
    scaled = (positive * (255.0 / positive.max())).astype(np.uint8)
    level, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx((scaled > max(level, 20)).astype(np.uint8), cv2.MORPH_CLOSE, closing)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    sums = np.bincount(labels.ravel(), weights=positive.ravel().astype(np.float64), minlength=count)
    expected = {tuple(int(v) for v in stats[k, :4]): sums[k] for k in range(1, count) if stats[k, 4] >= 16}
    assert {tuple(f[:4]) for f in found} == set(expected)
    for x, y, w, h, strength in found:
        np.testing.assert_allclose(strength, expected[(x, y, w, h)], rtol=1e-9)


def test_a_code_is_the_strongest_region():
    code = render_code("5901234123457", "EAN-13", px_per_module=2.0, height=60, rng=1).image
    scene = np.full((240, 320), 200, np.uint8)
    scene[90:90 + code.shape[0], 60:60 + code.shape[1]] = code
    regions = gradient_regions(scene.astype(np.float32) / 255.0)
    assert regions and regions[0].angle == 0.0
    (x0, y0), (x1, y1) = regions[0].polygon.min(axis=0), regions[0].polygon.max(axis=0)
    assert x0 <= 60 + 20 and x1 >= 60 + code.shape[1] - 20 and y0 <= 100 and y1 >= 90 + code.shape[0] - 10
