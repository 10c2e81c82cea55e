"""Build script: cythonizes every ``.pyx`` (and ``.py`` with a ``.pxd`` beside it) under zmq4/.

Kept small on purpose: metadata lives in pyproject.toml. New Cython modules are picked up by
the glob, so adding one needs no change here.
"""

from __future__ import annotations

import glob
import os

from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _module(path: str) -> str:
    return os.path.splitext(path)[0].replace(os.sep, ".")


def extensions() -> list[Extension]:
    os.chdir(HERE)
    sources = sorted(glob.glob("zmq4/**/*.pyx", recursive=True))
    # Cython pure-Python mode: a .py with an augmenting .pxd beside it is compiled too.
    for pxd in sorted(glob.glob("zmq4/**/*.pxd", recursive=True)):
        py = pxd[:-4] + ".py"
        if os.path.exists(py):
            sources.append(py)
    exts = [
        Extension(_module(src), [src], extra_compile_args=["-O2"])
        for src in sources
    ]
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "embedsignature": True,
        },
        quiet=True,
    )


setup(ext_modules=extensions())
