"""Command line: ``barreader PATH... [--json | --csv] [--jobs N] [--formats ...]``, files and folders."""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .errors import InvalidArgumentError
from .formats import Format, parse_formats
from .options import EFFORTS
from .reader import DEFAULT_LOCALIZER
from .scanning import LOCALIZERS

__all__ = ["main", "IMAGE_SUFFIXES"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".pgm", ".ppm", ".pnm")
CSV_FIELDS = ["path", "format", "text", "quality", "orientation", "x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3", "error"]

EXIT_READ, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="barreader",
        description="Read EAN/UPC and Code 39 barcodes in images without binarizing them. "
        "Results are printed as each image is done, in the order given.",
        epilog="Exit status: 0 if some image held a code, 1 if none did, 2 on bad usage or when an "
        "input is missing or cannot be read (the other inputs are still read).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="image files, or folders searched recursively for images")
    parser.add_argument("--glob", metavar="PATTERN",
                        help="in folders, read the files whose name matches this pattern "
                        f"(default: the suffixes {' '.join(IMAGE_SUFFIXES)})")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object per image (JSON Lines)")
    output.add_argument("--csv", action="store_true", help="print CSV: a row per code, or one per image with none")
    parser.add_argument(
        "--formats",
        metavar="NAMES",
        help="comma-separated formats to look for (default: all): " + ", ".join(f.value for f in Format),
    )
    parser.add_argument(
        "--localizer",
        metavar="NAMES",
        help="comma-separated localizers to use, in order (default: gradient,quagga): " + ", ".join(sorted(LOCALIZERS))
        + "; onnx needs onnxruntime (pip install \"barreader[onnx]\", or \".[onnx]\" from a clone)",
    )
    parser.add_argument(
        "--effort",
        choices=sorted(EFFORTS),
        default="normal",
        help="how far down the reader's stages an image may go: fast (the fast decoder alone), "
        "normal (default), thorough (every stage on every region)",
    )
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="processes to read in (default 1; 0: one per CPU)")
    parser.add_argument("--version", action="version", version=f"barreader {__version__}")
    return parser


def _inputs(paths: Sequence[str], pattern: str | None, empty: list[str]) -> Iterator[str]:
    """The files named, and those found in the folders named (sorted, recursively), in order.

    Folders in which nothing matches are added to ``empty``.
    """
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            yield given  # a missing file is reported when it is read
            continue
        found = path.rglob(pattern) if pattern else (p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        files = sorted(p for p in found if p.is_file())
        if not files:
            empty.append(given)
        yield from (str(p) for p in files)


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple:
    """The parsed formats and localizers, or a usage error (exit 2) naming what is wrong."""
    try:
        formats = parse_formats(args.formats) if args.formats else None
    except InvalidArgumentError as exc:
        parser.error(str(exc))
    localizer = args.localizer.split(",") if args.localizer else list(DEFAULT_LOCALIZER)
    unknown = [name for name in localizer if name not in LOCALIZERS]
    if unknown:
        parser.error(f"unknown localizer {', '.join(unknown)}; known: {', '.join(sorted(LOCALIZERS))}")
    if "onnx" in localizer and importlib.util.find_spec("onnxruntime") is None:
        parser.error('localizer onnx needs onnxruntime: pip install "barreader[onnx]" (or ".[onnx]" from a clone)')
    if args.jobs < 0:
        parser.error(f"--jobs must be 0 (one per CPU) or more, got {args.jobs}")
    return formats, localizer


class _Printer:
    """Writes each image's results as it comes, in the chosen format."""

    def __init__(self, style: str, stream):
        self.style = style
        self.stream = stream
        self.csv = csv.DictWriter(stream, CSV_FIELDS, lineterminator="\n") if style == "csv" else None
        if self.csv is not None:
            self.csv.writeheader()

    def write(self, path: str, codes: list[dict], error: str | None) -> None:
        if self.style == "json":
            entry = {"path": path, "barcodes": codes}
            if error is not None:
                entry["error"] = error
            self.stream.write(json.dumps(entry) + "\n")
        elif self.style == "csv":
            rows = [self._row(path, code) for code in codes] or [{"path": path}]
            for row in rows:
                self.csv.writerow({**row, "error": error or ""})
        else:
            if not codes and error is None:
                self.stream.write(f"{path}: no barcode found\n")
            for code in codes:
                self.stream.write(f"{path}: {code['format']} {code['text']} (quality {code['quality']:.2f})\n")
        self.stream.flush()

    @staticmethod
    def _row(path: str, code: dict) -> dict:
        row = {"path": path, "format": code["format"], "text": code["text"], "quality": f"{code['quality']:.4f}",
               "orientation": f"{code['orientation']:.2f}"}
        for i, (x, y) in enumerate(code["position"]):
            row[f"x{i}"], row[f"y{i}"] = f"{x:.2f}", f"{y:.2f}"
        return row


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (see ``barreader --help``).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    formats, localizer = _check(parser, args)
    from .batch import available_cpus, read_many

    printer = _Printer("json" if args.json else "csv" if args.csv else "text", sys.stdout)
    status = EXIT_NOTHING
    errors = False
    empty: list[str] = []
    results = read_many(_inputs(args.paths, args.glob, empty), workers=args.jobs or available_cpus(),
                        progress=sys.stderr.isatty(), formats=formats, localizer=localizer, effort=args.effort)
    try:
        for path, result in results:
            if isinstance(result, Exception):
                errors = True
                message = str(result) if isinstance(result, (OSError, ValueError)) else f"{type(result).__name__}: {result}"
                print(f"barreader: {path}: {message}", file=sys.stderr)
                printer.write(path, [], message)
                continue
            if result:
                status = EXIT_READ
            printer.write(path, [code.to_dict() for code in result], None)
    except BrokenPipeError:
        # The reader of our output has gone (``barreader ... | head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR if errors else status
    except KeyboardInterrupt:
        print("barreader: interrupted", file=sys.stderr)
        return 130
    finally:
        results.close()
    for folder in empty:
        print(f"barreader: {folder}: no images found" + (f" matching {args.glob}" if args.glob else ""), file=sys.stderr)
    return EXIT_ERROR if errors or empty else status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
