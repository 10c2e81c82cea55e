"""Helpers for tests/abi: compiling C programs against zmq4's headers and shim, running them
with no Python in their environment, reading the headers' function list, and the tcp probe.

The library and headers are the installed zmq4's (``zmq4.get_library()``, ``get_include()``),
so the same tests check an editable checkout and an installed wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import zmq4

HERE = Path(__file__).resolve().parent
CSRC = HERE / "c"

#: A C program's environment: no PYTHON*, no virtualenv, nothing that tells the shim
#: where Python is (it must find it itself).
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}


def shim_path() -> str:
    return zmq4.get_library()


def include_dir() -> str:
    return zmq4.get_include()


def compiler(cxx: bool = False) -> str:
    name = os.environ.get("CXX" if cxx else "CC") or ("c++" if cxx else "cc")
    path = shutil.which(name.split()[0])
    if path is None:
        pytest.fail(f"no {'C++' if cxx else 'C'} compiler ({name}): the ABI tests need one")
    return name


def build(source: Path, outdir: Path, *, cxx: bool = False, shared: bool = False,
          extra: Sequence[str] = (), library: str = "libzmq.so.5",
          link_dir: str | None = None, name: str | None = None) -> Path:
    """Compile ``source`` with -Wall -Werror against include/ and link it to the shim
    (a program, or with ``shared`` a library for ctypes): by ``library``'s name, found in
    ``link_dir`` at link time (default: the shim's directory) and in the shim's directory
    at run time (rpath)."""
    exe = outdir / (name or (f"lib{source.stem}.so" if shared else source.stem))
    if shared:
        extra = ["-shared", "-fPIC", *extra]
    libdir = os.path.dirname(shim_path())
    cmd = [*compiler(cxx).split(), "-Wall", "-Werror", "-O1", f"-I{include_dir()}",
           f"-I{CSRC}"]
    if cxx:
        cmd += ["-std=c++11", "-pedantic"]
    cmd += [str(source), "-o", str(exe), f"-L{link_dir or libdir}", f"-l:{library}",
            f"-Wl,-rpath,{libdir}", "-lpthread", *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stdout}\n{r.stderr}"
    return exe


def run(exe: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(CLEAN_ENV if env is None else env))


def run_ok(exe: Path, *args: str, env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    r = run(exe, *args, env=env, timeout=timeout)
    assert r.returncode == 0 and r.stdout.rstrip().endswith("ok"), (
        f"{exe.name} {' '.join(args)}: exit {r.returncode}\n"
        f"--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}")
    return r


_PROTO = re.compile(r"ZMQ_EXPORT\s+[^;(]*?\b(zmq_\w+)\s*\(", re.S)


def header_functions() -> set[str]:
    """Every function declared with ZMQ_EXPORT in zmq.h and zmq_utils.h."""
    names: set[str] = set()
    for header in ("zmq.h", "zmq_utils.h"):
        text = Path(include_dir(), header).read_text()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        names.update(_PROTO.findall(text))
    return names


def exported_symbols(path: str) -> set[str]:
    """Defined dynamic symbols of a shared library (``nm -D --defined-only``)."""
    nm = shutil.which("nm")
    if nm is None:
        pytest.fail("nm (binutils) is needed to check the shim's exported symbols")
    out = subprocess.run([nm, "-D", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()}
