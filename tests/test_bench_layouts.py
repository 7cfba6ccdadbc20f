"""bench_real.py on a folder in the Tekin-Coughlan layout: the manifest built from the file names."""

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from barreader.synth import render_code

REPO = Path(__file__).resolve().parent.parent


def test_bench_real_reads_a_clean_and_hard_layout(tmp_path):
    layout = tmp_path / "upc_sets"
    (layout / "Clean").mkdir(parents=True)
    (layout / "Hard" / "more").mkdir(parents=True)
    sharp = render_code("075403333574", "UPC-A", px_per_module=2.5, background_margin=20, rng=0).image
    cv2.imwrite(str(layout / "Clean" / "075403333574Xa.png"), sharp)
    cv2.imwrite(str(layout / "Clean" / "075403333574Xb.jpg"), sharp)
    blank = np.full_like(sharp, 200)
    cv2.imwrite(str(layout / "Hard" / "more" / "036000291452Z.png"), blank)  # nothing to read there
    (layout / "Hard" / "README.txt").write_text("not an image")
    cv2.imwrite(str(layout / "Hard" / "notes.png"), blank)  # no UPC-A in the name: left out
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_real.py"), "--readers", "barreader",
                           str(layout)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.startswith("upc_sets/")}
    assert lines["upc_sets/Clean"][1:3] == ["2", "2/2"]
    assert lines["upc_sets/Hard"][1:3] == ["1", "0/1"]
    assert "data: " in done.stdout and "3 of 3 rows" in done.stdout
