"""Reading: the stages of :mod:`barreader.stages`, cheapest first, stopped as soon as the image is settled."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterable, Sequence

import numpy as np

from .code39_reader import read_code39
from .errors import InvalidArgumentError
from .formats import Format, parse_formats
from .options import Effort, ReaderOptions, effort_for
from .pyramid import Pyramid
from .results import Barcode, Region, as_region
from .stages import fuse, search, sweep, templates
from .stages.hits import Hit, evidence, group_hits, settles
from .stages.regions import inside, locate, localizer_names, region_scanlines, whole_image_regions
from .stages.screen import looks_like_code, shows_two_widths
from .stages.timing import stage

__all__ = ["read", "template_hits", "ReaderOptions", "DEFAULT_LOCALIZER"]

DEFAULT_LOCALIZER = ("gradient", "quagga")
REGION_SCANLINES = 7  # scanlines of a region the fast decoder reads
THIN_IMAGE = 48  # pixels across, below which the localizers find nothing


def read(
    image,
    *,
    formats: str | Format | Iterable[str | Format] | None = None,
    regions: Sequence[Region | np.ndarray] | None = None,
    localizer: str | Sequence[str] = DEFAULT_LOCALIZER,
    model=None,
    effort: str | Effort = "normal",
    options: ReaderOptions | None = None,
) -> list[Barcode]:
    """Read the EAN/UPC and Code 39 barcodes in an image.

    Parameters
    ----------
    image : ndarray, PIL.Image.Image, str, os.PathLike, bytes or binary file object
        2-D grey or 3-D colour array (BGR/BGRA channel order, any real dtype),
        a PIL image, a file path, the encoded bytes of an image file
        (``bytes``, a byte buffer) or a binary file object such as
        ``io.BytesIO`` (read to its end).
    formats : str, Format or iterable of those, optional
        Formats to look for (default: all). Names as in :class:`Format`,
        case and ``-_`` ignored; ``"upcean"`` means the whole family.
    regions : sequence of Region or (4, 2) arrays, optional
        Decode only these regions (corners in image pixels, edge 0-1 along
        the reading direction) instead of localizing, e.g. from
        :func:`barreader.scan` or another detector.
    localizer : str or sequence of str
        The localizer(s) of :func:`barreader.scan` whose regions are read,
        in order: ``"gradient"`` (horizontal and vertical bars),
        ``"quagga"`` (any angle), ``"onnx"`` (a segmentation network; needs
        ``pip install 'barreader[onnx]'``). Default: gradient then quagga;
        a region that holds an earlier region's centre, and whose centre
        that region holds, at about the same angle, is skipped.
    model : str or os.PathLike, optional
        The ONNX file of the ``"onnx"`` localizer, as for
        :func:`barreader.scan` (default: the model shipped with barreader).
    effort : {"fast", "normal", "thorough"} or Effort
        How far down the stages an image may go (see Notes); the same image
        always gets the same work, on any machine.
    options : ReaderOptions, optional

    Returns
    -------
    list of Barcode
        Best first; empty when nothing is read.

    Raises
    ------
    InvalidImageError
        If the image cannot be used (type, shape, dtype, values, size).
    InvalidArgumentError
        If ``formats``, ``regions``, ``localizer``, ``effort`` or ``options`` are invalid.

    Notes
    -----
    The stages, cheapest first (:mod:`barreader.stages`):

    1. *The sweep*: rows, columns and diagonals across the image read by
       the fast decoder (sub-pixel edges, run lengths, guards, check
       digit), as classical readers read; a text needs two agreeing lines.
    2. *Localization* (``localizer``), and the fast decoder on each
       region's band-averaged scanlines.
    3. *The deformable templates* on regions still unsettled whose
       scanlines show bars a code could have.
    4. When nothing is read: rows and columns of the whole image with the
       templates, then the blurred-model search on blurred regions.

    ``effort="fast"`` is the sweep alone (a zxing-like reader);
    ``"normal"`` (the default) stops after the sweep when it settles every
    stretch of bars it met, and otherwise reads at most 12 regions with the
    fast decoder and the 6 strongest that still look like a code with the
    templates, then, if nothing is settled, the whole image's rows and
    columns (only when some region passed the screen), and the
    blurred-model search on at most 2 regions that are smooth or where the
    templates repeated a text, the template stages and the search spending
    at most ``Effort.work`` layout decodes' worth of work in all;
    ``"thorough"`` runs every stage on every region as well as the sweep.
    See :data:`barreader.options.EFFORTS`.

    ``quality`` estimates the probability that the text is right. For the
    template decoders it is a logistic function (:mod:`barreader.quality`)
    of: the residual of the whole code, blurred as fitted, regressed on the
    grey profile, relative to the fitted contrast; the largest such
    residual over single digits; the lightness of the quiet zones; the
    fitted blur in modules; the logit of the decoder's posterior
    probability of the string among all valid strings; how much the check
    digit and parity had to overrule the best templates, and the decoder's
    cost, both per profile sample; the number of agreeing scanlines; the
    layout; and which decoder read it. Its weights were fitted on synthetic
    scenes only. For the fast decoder (``extra["decoder"] == "fast"``) it
    is ``1 - prod(1 - p)`` over the agreeing lines, ``p`` each line's
    posterior of the text under a Gaussian model of its measured widths.

    Code 39 is read by the fast decoder and by its own template bank
    (:mod:`barreader.code39_reader`), the latter on regions whose bars
    come in two widths (:func:`barreader.stages.screen.two_widths`; every
    region at ``effort="thorough"``); the latter's ``quality`` combines the
    string's posterior on each agreeing scanline, and a text needs two
    agreeing scanlines unless one is near certain (``options.code39``).

    Results need ``quality >= options.min_quality`` (0.9 for texts only the
    blurred-model decoder read), a posterior of at least
    ``options.min_posterior`` unless their whole-code fit is excellent, and
    no other text read on the same stretch with a quality of
    ``options.max_rival`` times theirs or more (``extra["rival_quality"]``).

    Examples
    --------
    >>> import barreader
    >>> from barreader.synth import render_code
    >>> image = render_code("036000291452", "UPC-A", px_per_module=2.5, rng=0).image
    >>> [(code.format.value, code.text) for code in barreader.read(image)]
    [('UPC-A', '036000291452')]
    """
    fmts, opts, level, given, names = checked_arguments(formats, regions, localizer, model, effort, options)
    with stage("image"):
        picture = Pyramid(image)

    results: list[Barcode] = []
    if given is None and level.sweep is not None:
        with stage("sweep"):
            found, swept = sweep.sweep_picture(picture, fmts, level.sweep, opts.code39)
            results = _credible_fast(swept, opts)
            if not results and not level.localize and found.factor > 1.0:
                # No region sweep follows to read codes too fine for the reduced level.
                found, swept = sweep.sweep_picture(picture, fmts, level.sweep, opts.code39, level=0)
                results = _credible_fast(swept, opts)
        if results and level.stop_when_swept and not (level.localize and sweep.unexplained(found, results)):
            return _finish(results)
    if given is None and not level.localize:
        return _finish(results)

    gray = picture.gray
    with stage("localize"):
        todo = given if given is not None else locate(picture, names, model)[: level.max_regions]
        todo = [r for r in todo if not any(inside(r.polygon.mean(axis=0), b.position) for b in results)]
    if level.region_sweep and level.sweep is not None:
        with stage("region sweep"):
            found, todo = sweep.read_regions(picture, todo, fmts, level.sweep, opts.code39, REGION_SCANLINES)
            results += _credible_fast(found, opts)
        if results and level.stop_when_swept:
            return _finish(results)
    if level.screen:
        with stage("screen"):
            todo = [r for r in todo if looks_like_code(gray, r)]
    # Rows and columns across the image are for codes no localizer boxed
    # well; with the screen on, only where some region shows bars, or where
    # the image is too thin for the localizers.
    whole_image = given is None and (bool(todo) or not level.screen or min(gray.shape) < THIN_IMAGE)
    if level.template_regions > 0 and fmts - {Format.CODE39}:
        results += _templates(picture, todo[: level.template_regions], fmts, opts, level, whole_image)
    if Format.CODE39 in fmts and level.code39_templates:
        with stage("code39"):
            results += _code39(gray, todo[: level.template_regions], results, opts, level, whole_image)
    return _finish(results)


def checked_arguments(formats, regions, localizer, model, effort, options) -> tuple[
        frozenset[Format], ReaderOptions, Effort, list[Region] | None, list[str]]:
    """:func:`read`'s arguments other than the image, checked and parsed.

    Returns
    -------
    formats, options, effort, regions, localizers
        The formats looked for, the options (defaults if None), the effort
        level, the regions given (None: localize) and the localizers' names
        (none when regions are given).

    Raises
    ------
    InvalidArgumentError
        As :func:`read` does.
    """
    fmts = parse_formats(formats)
    opts = options or ReaderOptions()
    if not isinstance(opts, ReaderOptions):
        raise InvalidArgumentError(f"options must be a ReaderOptions, got {type(opts).__name__}")
    level = effort_for(effort)
    given = None if regions is None else [as_region(r) for r in regions]
    names = localizer_names(localizer, model) if given is None else []
    return fmts, opts, level, given, names


def check_read_options(read_options: dict, caller: str) -> None:
    """Check keyword arguments meant for :func:`read` (by another function, ``caller``, that passes them on).

    Raises
    ------
    InvalidArgumentError
        For a name :func:`read` does not take, or a value it would refuse.
    """
    parameters = inspect.signature(read).parameters
    for name in read_options:
        if name not in parameters or name == "image":
            known = ", ".join(p for p in parameters if p != "image")
            raise InvalidArgumentError(f"{caller} got an unknown read option {name!r}; known: {known}")
    arguments = {name: p.default for name, p in parameters.items() if name != "image"} | read_options
    checked_arguments(arguments["formats"], arguments["regions"], arguments["localizer"], arguments["model"],
                      arguments["effort"], arguments["options"])


def _templates(picture: Pyramid, regions: list[Region], fmts: frozenset[Format], opts: ReaderOptions,
               level: Effort, whole_image: bool) -> list[Barcode]:
    """EAN/UPC read by the template stages (:func:`template_hits`), fused into credible results."""
    hits = template_hits(picture, regions, fmts, opts, level, whole_image)
    with stage("fuse"):
        groups = fuse.find_groups(hits, opts)
        results = [fuse.to_barcode(picture.gray, g, rival) for g, rival in groups]
        return [r for r, (g, _) in zip(results, groups) if fuse.credible(r, evidence(g), opts)]


def template_hits(picture: Pyramid | np.ndarray, regions: list[Region], fmts: frozenset[Format], opts: ReaderOptions,
                  level: Effort, whole_image: bool, exhaustive: bool = False) -> list[Hit]:
    """Every decode of the template stages, which stop once something is read.

    1. The deformable templates on scanlines of every region.
    2. Unless a text of at least ``settled_quality`` that passes the
       posterior bar was read, and if ``whole_image`` and the effort allow,
       the same on rows and columns across the image.
    3. Unless such a text was read then, the blurred-model search on at
       most the effort's ``searched_regions`` blurred regions.

    With ``exhaustive`` every stage runs whatever was read (used to fit the
    quality model on all kinds of decodes). ``picture`` is the image's
    :class:`~barreader.pyramid.Pyramid` or an image it is made of.
    """
    if not isinstance(picture, Pyramid):
        picture = Pyramid(picture)
    budget = templates.Budget(level.work)
    with stage("templates"):
        scans = templates.scan_regions(picture, regions, fmts, opts, budget=budget)
    if whole_image and level.whole_image and (exhaustive or not _settled(scans, opts)) and not budget.spent:
        with stage("whole image"):
            scans += templates.scan_regions(picture, whole_image_regions(picture.gray), fmts, opts, index0=len(regions),
                                            budget=budget)
    searched = min(level.searched_regions, opts.searched_regions)
    if searched > 0 and (exhaustive or not _settled(scans, opts)):
        with stage("blurred search"):
            search.search_regions(scans, fmts, dataclasses.replace(opts, searched_regions=searched), level.smooth_search, budget)
    return [h for scan in scans for h in scan.found]


def _settled(scans: list[templates.RegionScan], opts: ReaderOptions) -> bool:
    """Whether some text read so far has ``settled_quality`` and passes the posterior bar."""
    hits = [h for scan in scans for h in scan.found]
    return any(settles(g, opts, opts.settled_quality) for g in fuse.suppress(group_hits(hits)))


def _code39(gray: np.ndarray, regions: list[Region], results: list[Barcode], opts: ReaderOptions,
            level: Effort, whole_image: bool) -> list[Barcode]:
    """Code 39 read by its template bank on the regions no code was read on (and, thorough, the whole image)."""
    free = [r for r in regions if not any(inside(r.polygon.mean(axis=0), b.position) for b in results)]
    if level.screen:
        free = [r for r in free if shows_two_widths(gray, r)]
    found = read_code39(gray, free, region_scanlines, opts.code39)
    if not found and not results and whole_image and level.whole_image:
        found = read_code39(gray, whole_image_regions(gray), region_scanlines, opts.code39)
    return [r for r in found if r.quality >= opts.min_quality]


def _credible_fast(results: list[Barcode], opts: ReaderOptions) -> list[Barcode]:
    return [r for r in results if r.quality >= opts.min_quality]


def _finish(results: list[Barcode]) -> list[Barcode]:
    """Best first, a result lying on a better one's bars (a half code read as a short code, a repeat) dropped."""
    results = sorted(results, key=lambda b: b.quality, reverse=True)
    return fuse.drop_contained(results)
