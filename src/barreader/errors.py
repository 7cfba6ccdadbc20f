"""Exceptions raised by barreader.

Only bad *arguments* raise. An image in which nothing can be read is not an
error: the readers return an empty list.
"""

__all__ = ["BarreaderError", "InvalidImageError", "InvalidArgumentError"]


class BarreaderError(Exception):
    """Base class of every exception barreader raises on purpose."""


class InvalidImageError(BarreaderError, ValueError):
    """The image argument cannot be used: wrong type, shape, size or values."""


class InvalidArgumentError(BarreaderError, ValueError):
    """A keyword argument other than the image is out of range or unknown."""
