"""The reader's stages, cheapest first; :func:`barreader.read` sequences them and stops early.

* :mod:`.sweep` – the fast decoder: edges and run-lengths on lines across
  the image (or a region's scanlines), EAN/UPC and Code 39 read the way
  classical readers read them, settled by agreeing lines.
* :mod:`.regions` – the localizers' regions and the scanlines across them.
* :mod:`.screen` – drops regions that show no bars a code could have.
* :mod:`.templates` – the deformable-template decoder on a region's scanlines.
* :mod:`.search` – the blurred-model search, last, on blurred regions.
* :mod:`.hits` and :mod:`.fuse` – the template stages' decodes grouped,
  weighed against rivals and turned into results.
* :mod:`.placement` – where a read code lies and its box.
* :mod:`.timing` – seconds per stage, for profiling.
"""
