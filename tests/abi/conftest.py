"""Fixtures for tests/abi: a per-session directory of compiled C programs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import abi_support
import pytest


@pytest.fixture(scope="session")
def c_program(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``c_program("reqrep.c")``: the program compiled once per session."""
    outdir = tmp_path_factory.mktemp("abi-bin")
    built: dict[str, Path] = {}

    def get(name: str, **kw: object) -> Path:
        if name not in built:
            built[name] = abi_support.build(abi_support.CSRC / name, outdir,
                                            cxx=name.endswith(".cpp"), **kw)  # type: ignore[arg-type]
        return built[name]

    return get
