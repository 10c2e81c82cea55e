"""The package type-checks under ``mypy --strict`` (issue #7: ``py.typed``, annotations on
every public name). Checks the installed copy's sources and stubs (``.py``, ``.pyi``: what a
wheel ships beside its compiled modules), copied out so that mypy sees the package alone
and not the site-packages around it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import _zmq4_switch
import zmq4


def test_mypy_strict_passes_on_the_package(tmp_path: Path) -> None:
    package = Path(zmq4.__file__).parent
    assert (package / "py.typed").is_file()
    shutil.copytree(package, tmp_path / "zmq4",
                    ignore=shutil.ignore_patterns("*.so", "*.c", "*.pyx", "*.pxd",
                                                  "__pycache__"))
    shutil.copy(_zmq4_switch.__file__, tmp_path / "_zmq4_switch.py")  # the switch, top level
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
         "--python-version", "3.10", "--cache-dir", str(tmp_path / "cache"), "-p", "zmq4",
         "-m", "_zmq4_switch"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
