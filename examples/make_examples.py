"""Render the synthetic example images in this folder.

Run from the repository root: ``python examples/make_examples.py``.
"""

from pathlib import Path

import cv2
import numpy as np

from barreader.synth import random_hetu, render_code, render_code39, render_licence_card, render_scene

HERE = Path(__file__).resolve().parent

EXAMPLES = {
    # name: (text, format, keyword arguments of render_code)
    "upca_sharp.png": ("036000291452", "UPC-A", dict(px_per_module=2.5, blur=0.1, noise=0.01)),
    "ean13_blurred.png": ("4006381333931", "EAN-13", dict(px_per_module=3.0, blur=0.85, noise=0.01)),
    "ean8_low_resolution.png": ("96385074", "EAN-8", dict(px_per_module=1.3, blur=0.3, noise=0.03)),
    "upce_upside_down_noisy.png": ("01234565", "UPC-E", dict(px_per_module=2.5, blur=0.3, noise=0.15, angle=180)),
    "ean13_jpeg_q20.png": ("9780441014989", "EAN-13", dict(px_per_module=2.0, blur=0.4, noise=0.02, jpeg_quality=20)),
}


def main() -> None:
    for name, (text, fmt, kwargs) in EXAMPLES.items():
        code = render_code(text, fmt, background_margin=24, rng=7, **kwargs)
        cv2.imwrite(str(HERE / name), code.image)
        print(f"{name}: {fmt} {text}")
    scene = render_scene(
        codes=[("012345678905", "UPC-A"), ("96385074", "EAN-8")],
        size=(360, 480),
        px_per_module=2.2,
        angle=(-3.0, 3.0),
        background="clutter",
        rng=11,
    )
    cv2.imwrite(str(HERE / "two_codes_on_clutter.png"), scene.image)
    print("two_codes_on_clutter.png: UPC-A 012345678905, EAN-8 96385074")
    scene = render_scene(
        codes=[("036000291452", "UPC-A"), ("4006381333931", "EAN-13"), ("01234565", "UPC-E")],
        size=(480, 640),
        px_per_module=(2.5, 3.0),
        angle=(0.0, 360.0),
        background="mixed",
        rng=5,
    )
    cv2.imwrite(str(HERE / "three_codes_any_angle.png"), scene.image)
    print("three_codes_any_angle.png: UPC-A 036000291452, EAN-13 4006381333931, UPC-E 01234565")

    code39 = render_code39("CODE-39 DEMO", narrow=2.0, ratio=2.5, quiet_zone=12, height=50, phase=0.4)
    cv2.imwrite(str(HERE / "code39_sharp.png"), (20 + 215 * code39).astype("uint8"))
    print("code39_sharp.png: Code39 CODE-39 DEMO")
    # An invented identity code on an invented card: no real person's data.
    card = render_licence_card(random_hetu(np.random.default_rng(2024)), blur=1.5, smudge=0.2, angle=4.0, rng=3)
    cv2.imwrite(str(HERE / "licence_card_blurred.png"), card.image)
    print(f"licence_card_blurred.png: Code39 {card.text} (recover with examples/recover_licence.py)")


if __name__ == "__main__":
    main()
