"""Segmentation localizer: a small BarcodeNet-style network (ALGORITHMS.md §6).

:mod:`barreader.segment.model` defines the network and
:mod:`barreader.segment.train` trains it on
:func:`~barreader.synth.render_segmentation_sample` images; both need torch
(the ``train`` extra) and are never imported by ``import barreader``.
"""
