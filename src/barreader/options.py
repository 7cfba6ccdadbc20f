"""What :func:`barreader.read` may do: its tunables and its effort levels."""

from __future__ import annotations

import dataclasses

from .code39_reader import Code39ReadOptions
from .decode.upcean import DecoderOptions
from .errors import InvalidArgumentError
from .stages.sweep import SweepPlan

__all__ = ["ReaderOptions", "Effort", "EFFORTS", "effort_for"]


@dataclasses.dataclass(frozen=True)
class ReaderOptions:
    """Tunables of :func:`read` beyond the decoder's.

    Attributes
    ----------
    scanlines : int
        Parallel scanlines per region.
    blurred_scanlines : int
        Of those, how many (from the centre out) may use the slower
        blurred-model search when nothing else was read and a profile is
        strongly blurred: the central one searches the whole profile, the
        others only where it placed codes; 0 turns that decoder off.
    searched_regions : int
        At most this many regions get that search.
    min_quality : float
        Results below this quality are dropped.
    min_quality_blurred : float
        The same for texts only the blurred-model decoder produced.
    settled_quality : float
        The later, slower stages (rows and columns across the whole image,
        then the blurred-model search) run unless some text was read with
        at least this quality and passes the posterior bar below.
    min_posterior : float
        Least posterior probability among valid strings, on the best
        scanline, for a text to be reported ...
    max_residual_unsure : float
        ... unless its whole-code fit residual is at most this.
    max_rival : float
        A text is dropped when another text read on the same stretch of the
        image, whose whole code fits the profile at most twice as badly, has
        at least this fraction of its quality.
    decoder : DecoderOptions
    code39 : Code39ReadOptions
        Full ASCII, mod-43 check and thresholds of Code 39 reading.
    """

    scanlines: int = 7
    blurred_scanlines: int = 3
    searched_regions: int = 4
    min_quality: float = 0.5
    min_quality_blurred: float = 0.9
    settled_quality: float = 0.9
    min_posterior: float = 0.2
    max_residual_unsure: float = 0.06
    max_rival: float = 0.8
    decoder: DecoderOptions = DecoderOptions()
    code39: Code39ReadOptions = Code39ReadOptions()


@dataclasses.dataclass(frozen=True)
class Effort:
    """How far down the stages an image may go, counted in work (stages, regions, scanlines), never in time.

    Attributes
    ----------
    name : str
    sweep : SweepPlan or None
        The fast decoder on lines across the whole image (None: skipped).
    stop_when_swept : bool
        A code the sweep settles ends the reading: no localizer runs.
    localize : bool
        Run the localizers.
    max_regions : int
        Regions taken from the localizers, strongest first.
    region_sweep : bool
        Read each region's scanlines with the fast decoder before anything else.
    screen : bool
        Give the template decoder only regions whose scanlines show bars
        a code could have (:mod:`barreader.stages.screen`), read the
        whole image's rows and columns only when one does, and give the
        Code 39 template bank only regions whose bars come in two widths.
    template_regions : int
        Regions decoded with the deformable templates (0: the template
        decoder does not run).
    work : float
        Layout decodes (one layout on one stretch of one scanline, each a
        few placement hypotheses; a deconvolved copy counts too) the
        template stages and the blurred-model search may spend on an image,
        all together, the search's scanlines counted at their measured cost
        in layout decodes (:func:`barreader.stages.search.search_work`);
        once spent, no further scanline is decoded or searched.
    whole_image : bool
        When nothing is read, decode rows and columns across the whole
        image with the templates.
    searched_regions : int
        Regions given the blurred-model search when nothing is read
        (at most ``ReaderOptions.searched_regions``).
    smooth_search : bool
        Search only regions whose central scanline is as smooth as a
        strongly blurred code's (:func:`barreader.stages.search.smooth`).
    code39_templates : bool
        Read Code 39 with its template bank on the screened regions no
        code was read on and, with ``screen``, whose central scanline
        shows two widths (the fast decoder reads Code 39 in any case).
    """

    name: str
    sweep: SweepPlan | None
    stop_when_swept: bool
    localize: bool
    max_regions: int
    region_sweep: bool
    screen: bool
    template_regions: int
    work: float
    whole_image: bool
    searched_regions: int
    smooth_search: bool
    code39_templates: bool


NORMAL_WORK = 225  # layout decodes: the least with every shared photo's reading unchanged (200 loses one)

EFFORTS = {
    "fast": Effort("fast", SweepPlan(), True, False, 0, False, True, 0, 0, False, 0, True, False),
    "normal": Effort("normal", SweepPlan(), True, True, 12, True, True, 6, NORMAL_WORK, True, 2, True, True),
    "thorough": Effort("thorough", SweepPlan(), False, True, 1000, True, False, 1000, float("inf"), True, 1000, False, True),
}


def effort_for(effort: str | Effort) -> Effort:
    """The :class:`Effort` named by ``effort`` (``"fast"``, ``"normal"`` or ``"thorough"``), or ``effort`` itself.

    Raises
    ------
    InvalidArgumentError
        For any other value.
    """
    if isinstance(effort, Effort):
        return effort
    if isinstance(effort, str) and effort in EFFORTS:
        return EFFORTS[effort]
    raise InvalidArgumentError(f"effort must be one of {', '.join(map(repr, EFFORTS))}, got {effort!r}")


def positive_int(name: str, value) -> int:
    """``value`` if it is a positive integer (not a bool).

    Raises
    ------
    InvalidArgumentError
        Naming ``name``, for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{name} must be a positive integer, got {value!r}")
    return value
