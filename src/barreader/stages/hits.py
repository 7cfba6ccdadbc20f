"""What the template stages read: one hit per decode on a scanline, and hits grouped into codes.

A :class:`Hit` is one candidate text decoded on one scanline with its
whole-code fit; hits of one text at one place form a group, whose
:func:`evidence` the quality model turns into a probability.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..decode.upcean import Candidate
from ..decode.verify import Fit
from ..formats import Format
from ..options import ReaderOptions
from ..quality import Evidence, quality
from ..scanline import Scanline
from .placement import true_axis

__all__ = ["Hit", "group_hits", "segment", "code_axis", "same_stretch", "evidence", "confirmed", "sure_enough",
           "settles", "CONFIRMED"]


@dataclasses.dataclass
class Hit:
    """One decode of the template stages: the candidate, the scanline it lay on, its region and its whole-code fit."""

    candidate: Candidate
    scanline: Scanline
    region_index: int
    fit: Fit

    @property
    def key(self) -> tuple[Format, str]:
        return self.candidate.format, self.candidate.text

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """Image points of the code's start (start guard side) and end."""
        low = self.scanline.to_image(self.candidate.start)
        high = self.scanline.to_image(self.candidate.end)
        return (high, low) if self.candidate.reverse else (low, high)


def group_hits(hits: list[Hit]) -> list[list[Hit]]:
    """Hits of the same text whose scanline endpoints are near each other."""
    groups: list[list[Hit]] = []
    for hit in hits:
        a0, a1 = hit.endpoints()
        size = float(np.hypot(*(a1 - a0)))
        for group in groups:
            if group[0].key != hit.key:
                continue
            b0, b1 = group[0].endpoints()
            centre_gap = float(np.hypot(*((a0 + a1) / 2 - (b0 + b1) / 2)))
            if centre_gap < 0.75 * size:
                group.append(hit)
                break
        else:
            groups.append([hit])
    return groups


def segment(group: list[Hit]) -> tuple[np.ndarray, np.ndarray]:
    """The mean start and end points of a group's hits."""
    ends = [h.endpoints() for h in group]
    return np.mean([e[0] for e in ends], axis=0), np.mean([e[1] for e in ends], axis=0)


def same_stretch(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether two code segments cover the same stretch of one code.

    Each must lie on the other (:func:`_overlap`): two codes side by side,
    or crossing each other's line at an angle, can each have the other's
    centre near its line, but not both.
    """
    return _overlap(a, b) and _overlap(b, a)


def _overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether segment ``b`` shares a stretch of segment ``a`` and its centre lies near ``a``'s line."""
    a0, a1 = a
    length = float(np.hypot(*(a1 - a0)))
    if length <= 0:
        return False
    axis = (a1 - a0) / length
    normal = np.array([-axis[1], axis[0]])
    t = sorted(((b[0] - a0) @ axis, (b[1] - a0) @ axis))
    shared = min(t[1], length) - max(t[0], 0.0)
    shorter = min(length, t[1] - t[0])
    distance = abs(float(((b[0] + b[1]) / 2 - a0) @ normal))
    return shorter > 0 and shared > 0.3 * shorter and distance < 0.5 * length


def _samples(candidate: Candidate) -> float:
    """Profile samples the digits of a candidate cover."""
    return 7.0 * len(candidate.digit_costs) * max(candidate.module, 0.1)


def evidence(group: list[Hit]) -> Evidence:
    """The quality model's features of a group, from its best-fitting hit and the number of scanlines."""
    best = min(group, key=lambda h: h.fit.residual)
    cand = best.candidate
    return Evidence(
        residual=best.fit.residual,
        worst_digit=best.fit.worst_digit,
        quiet=best.fit.quiet,
        blur=best.fit.blur,
        posterior=max(h.candidate.posterior for h in group),
        slack=min(float(h.candidate.slack.sum()) / _samples(h.candidate) for h in group),
        cost=cand.cost / _samples(cand),
        scanlines=len({id(h.scanline) for h in group}),
        layout=cand.layout,
        stage=cand.stage,
    )


CONFIRMED = 0.95  # quality at which a code needs no further scanlines


def confirmed(hits: list[Hit]) -> list[Hit] | None:
    """A text read on two or more scanlines whose joint quality settles it."""
    by_key: dict[tuple[Format, str], list[Hit]] = {}
    for hit in hits:
        by_key.setdefault(hit.key, []).append(hit)
    for group in by_key.values():
        if len({id(h.scanline) for h in group}) >= 2 and quality(evidence(group)) >= CONFIRMED:
            return group
    return None


def sure_enough(evidence: Evidence, opts: ReaderOptions) -> bool:
    """The posterior bar of :func:`credible`: a posterior of ``min_posterior``, or an excellent whole-code fit."""
    return evidence.posterior >= opts.min_posterior or evidence.residual <= opts.max_residual_unsure


def settles(group: list[Hit], opts: ReaderOptions, bar: float) -> bool:
    """Whether a group's text has quality ``bar`` and passes the posterior bar, so that later stages may be spared."""
    found = evidence(group)
    return quality(found) >= bar and sure_enough(found, opts)


def code_axis(group: list[Hit]) -> tuple[np.ndarray, np.ndarray]:
    """The code's start and end on its own axis (:func:`~barreader.stages.placement.true_axis`).

    Hits on one scanline only cannot tell the axis; their mean segment is kept.
    """
    if len({id(h.scanline) for h in group}) < 2:
        return segment(group)
    ends = [h.endpoints() for h in group]
    return true_axis(np.array([e[0] for e in ends]), np.array([e[1] for e in ends]))
