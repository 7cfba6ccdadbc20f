"""The reader's stages, cheapest first; :func:`barreader.read` sequences them and stops early.

* :mod:`.sweep` – the fast decoder: edges and run-lengths on lines across
  the image (or a region's scanlines), EAN/UPC and Code 39 read the way
  classical readers read them, settled by agreeing lines.
* :mod:`.placement` – where a read code lies and its box.
"""
