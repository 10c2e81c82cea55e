"""The package type-checks under ``mypy --strict`` (issue #7: ``py.typed``, annotations on
every public name). Runs on the installed copy, so a wheel's stubs (``.pyi`` beside the
compiled modules) are what is checked there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import zmq4


def test_mypy_strict_passes_on_the_package(tmp_path: Path) -> None:
    package = Path(zmq4.__file__).parent
    assert (package / "py.typed").is_file()
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
         "--python-version", "3.10", "--cache-dir", str(tmp_path / "cache"), str(package)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
