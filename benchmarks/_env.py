"""What a benchmark report records about how it was run."""

from __future__ import annotations

import datetime
import os
import platform
import shlex
import sys
from collections.abc import Iterable

import numpy as np

from _readers import Reader, versions


def csv_list(text: str) -> list[str]:
    """The non-empty, stripped items of a comma-separated command-line value."""
    return [part.strip() for part in text.split(",") if part.strip()]


def command_line() -> str:
    """The command line that started this process, shell-quoted."""
    argv = getattr(sys, "orig_argv", None) or [os.path.basename(sys.executable), *sys.argv]
    return shlex.join(argv)


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def environment(readers: Iterable[Reader]) -> dict:
    """Command, reader versions and machine description.

    Parameters
    ----------
    readers : iterable of Reader

    Returns
    -------
    dict
        ``command``, ``cwd``, ``date``, ``readers`` (name -> version or
        reason) and ``machine`` (platform, CPU, CPU count, Python, NumPy).
    """
    return {
        "command": command_line(),
        "cwd": os.getcwd(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "readers": versions(readers),
        "machine": {
            "platform": platform.platform(),
            "cpu": cpu_model(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
    }


def print_environment(env: dict) -> None:
    """Print the output of :func:`environment` as the head of a report."""
    print(f"command: {env['command']}")
    print(f"cwd: {env['cwd']}    date: {env['date']}")
    m = env["machine"]
    print(f"machine: {m['platform']}; {m['cpu']}; {m['cpu_count']} CPUs; Python {m['python']}; NumPy {m['numpy']}")
    for name, version in env["readers"].items():
        print(f"  {name:<10} {version}")
    print()
