"""Undoing Gaussian blur on a profile, so that the binary templates apply again.

Gallo and Manduchi model every sample as pure black or pure white and note
that their reader fails once blur approaches a module; they suggest modelling
the point spread function. Convolving the templates with a Gaussian would
make the likelihood vary continuously with offset and width, and the exact
polygon-sum marginalization would no longer hold. Instead the profile is
restored with a Wiener filter for a hypothesised Gaussian blur and decoded
with the unchanged exact model; the hypothesis is then judged by how well
the decoded code, blurred again, explains the *original* profile
(:mod:`barreader.decode.verify`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["wiener", "noise_to_signal"]


def noise_to_signal(profile: np.ndarray, contrast: float) -> float:
    """Squared ratio of the profile's noise to its contrast.

    The noise is estimated from the lowest decile of sample-to-sample
    differences (``0.126 sqrt(2)`` sigma for Gaussian noise), which in a
    profile with quiet zones comes from flat stretches.
    """
    diffs = np.abs(np.diff(profile))
    if len(diffs) < 10 or contrast <= 0:
        return 1.0
    noise = float(np.quantile(diffs, 0.1)) / (0.126 * np.sqrt(2.0))
    return (noise / contrast) ** 2


def wiener(profile: np.ndarray, sigma: float, balance: float) -> np.ndarray:
    """Wiener deconvolution of a Gaussian blur.

    Parameters
    ----------
    profile : ndarray of float, shape (n,)
    sigma : float
        Gaussian sigma of the blur, in samples.
    balance : float
        Noise-to-signal power ratio regularizing the inverse filter
        (larger is smoother).

    Returns
    -------
    ndarray of float64, shape (n,)
        The restored profile (mirror-padded to avoid wrap-around).
    """
    profile = np.asarray(profile, dtype=np.float64)
    n = len(profile)
    if sigma <= 0 or n < 4:
        return profile.copy()
    mirrored = np.concatenate([profile[::-1], profile, profile[::-1]])
    mean = float(mirrored.mean())
    freq = np.fft.rfftfreq(len(mirrored))
    transfer = np.exp(-2.0 * np.pi**2 * sigma**2 * freq**2)
    spectrum = np.fft.rfft(mirrored - mean) * transfer / (transfer**2 + balance)
    return np.fft.irfft(spectrum, len(mirrored))[n : 2 * n] + mean
