"""Command line: ``barreader PATH... [--json] [--formats ...]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import __version__
from .errors import InvalidArgumentError, InvalidImageError
from .formats import Format, parse_formats
from .options import EFFORTS
from .reader import DEFAULT_LOCALIZER, read
from .scanning import LOCALIZERS

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="barreader",
        description="Read EAN/UPC barcodes in images without binarizing them.",
        epilog="Exit status: 0 if some image held a code, 1 if none did, 2 on bad usage.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image files to read")
    parser.add_argument("--json", action="store_true", help="print one JSON document with every result")
    parser.add_argument(
        "--formats",
        metavar="NAMES",
        help="comma-separated formats to look for (default: all): " + ", ".join(f.value for f in Format),
    )
    parser.add_argument(
        "--localizer",
        metavar="NAMES",
        help="comma-separated localizers to use, in order (default: gradient,quagga): " + ", ".join(sorted(LOCALIZERS))
        + "; onnx needs pip install 'barreader[onnx]'",
    )
    parser.add_argument(
        "--effort",
        choices=sorted(EFFORTS),
        default="normal",
        help="how far down the reader's stages an image may go: fast (the fast decoder alone), "
        "normal (default), thorough (every stage on every region)",
    )
    parser.add_argument("--version", action="version", version=f"barreader {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        formats = parse_formats(args.formats) if args.formats else None
    except InvalidArgumentError as exc:
        parser.error(str(exc))
    localizer = args.localizer.split(",") if args.localizer else DEFAULT_LOCALIZER
    unknown = [name for name in ([localizer] if isinstance(localizer, str) else localizer) if name not in LOCALIZERS]
    if unknown:
        parser.error(f"unknown localizer {', '.join(unknown)}; known: {', '.join(sorted(LOCALIZERS))}")
    results = []
    for path in args.paths:
        try:
            found = read(path, formats=formats, localizer=localizer, effort=args.effort)
            results.append({"path": path, "barcodes": [b.to_dict() for b in found]})
        except (OSError, InvalidImageError) as exc:
            print(f"barreader: {path}: {exc}", file=sys.stderr)
            results.append({"path": path, "barcodes": [], "error": str(exc)})
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for entry in results:
            if not entry["barcodes"] and "error" not in entry:
                print(f"{entry['path']}: no barcode found")
            for code in entry["barcodes"]:
                print(f"{entry['path']}: {code['format']} {code['text']} (quality {code['quality']:.2f})")
    return 0 if any(entry["barcodes"] for entry in results) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
