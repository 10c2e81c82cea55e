"""Where zmq4's C face lives: ``include/`` (zmq.h, zmq_utils.h) and the shim ``libzmq.so.5``.

Owns: ``get_include()``, ``get_library()``, pyzmq's list forms ``get_includes()`` and
``get_library_dirs()``, and the compiler/linker flags that
``python -m zmq4 config`` prints. An installed wheel carries ``zmq4/include/`` and
``zmq4/lib/libzmq.so.5``; an in-place (editable) build has the library in the source tree's
``zmq4/lib/`` and the headers in its top-level ``include/``.

The library's SONAME is ``libzmq.so.5`` (libzmq 4.1+'s), so a C program links it with
``-l:libzmq.so.5`` (wheels cannot carry a ``libzmq.so`` symlink) and finds it at run time
through the rpath; that rpath can shadow a system libzmq for that program, which is the point.
Beside it, ``libzmq.so.4`` (libzmq 4.0's SONAME) is a filter whose symbols resolve in
``libzmq.so.5``: for binaries built against a real 4.0; new links use ``libzmq.so.5``.
Also owns the message for a zmq4 whose compiled extensions do not load (``zmq4/__init__``).
Leaf module: imports only the standard library.
"""

from __future__ import annotations

import glob
import os
import sys

LIBRARY_NAME = "libzmq.so.5"

_PKG = os.path.dirname(os.path.abspath(__file__))


def get_include() -> str:
    """The directory holding zmq.h and zmq_utils.h (for ``-I``, cffi, ctypesgen...)."""
    for d in (os.path.join(_PKG, "include"), os.path.join(os.path.dirname(_PKG), "include")):
        if os.path.isfile(os.path.join(d, "zmq.h")):
            return d
    raise FileNotFoundError(f"zmq4's C headers are missing (looked in {_PKG}/include)")


def get_library() -> str:
    """The path of the shim ``libzmq.so.5`` (for ``ctypes.CDLL`` or a linker)."""
    path = os.path.join(_PKG, "lib", LIBRARY_NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{path} is missing: zmq4 was installed without its C-ABI shim; rebuild it "
            "(pip install ., or pip install --no-build-isolation -e . in a checkout)")
    return path


def get_includes() -> list[str]:
    """pyzmq's include list: the directory holding the ``zmq4`` package (its ``.pxd``
    files), ``zmq4/utils`` (pyzmq's second entry), and :func:`get_include` (zmq.h)."""
    dirs = [os.path.dirname(_PKG), os.path.join(_PKG, "utils")]
    try:
        dirs.append(get_include())
    except FileNotFoundError:
        pass
    return dirs


def get_library_dirs() -> list[str]:
    """pyzmq's library-directory list: the one directory holding the shim libzmq.so.5."""
    return [os.path.dirname(get_library())]


def cflags() -> list[str]:
    """Compiler flags for a C program using zmq.h."""
    return [f"-I{get_include()}"]


def libs() -> list[str]:
    """Linker flags for a C program using the shim as its libzmq."""
    libdir = os.path.dirname(get_library())
    return [f"-L{libdir}", f"-l:{LIBRARY_NAME}", f"-Wl,-rpath,{libdir}"]


def missing_extensions_message() -> str:
    """Why ``import zmq4`` found no compiled extensions, and what to do: built for another
    Python (their file names carry the CPython version they were built for), or never
    built here (a source tree)."""
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    tag = f"cpython-{sys.version_info[0]}{sys.version_info[1]}-"
    built = set()
    for path in glob.glob(os.path.join(_PKG, "z85.*.so")):
        parts = os.path.basename(path).split(".")
        if len(parts) == 3 and parts[1].startswith("cpython-") and not parts[1].startswith(tag):
            digits = parts[1].split("-")[1]
            built.add(f"{digits[0]}.{digits[1:]}")
    if built:
        versions = " and ".join(sorted(built))
        return (f"zmq4 in {_PKG} was built for Python {versions}, running {running} "
                f"({sys.executable}): its compiled extensions load only into the Python "
                f"they were built for. Install zmq4 for this Python ({sys.executable} -m "
                "pip install zmq4; in a checkout: pip install --no-build-isolation -e . "
                f"with it), or run Python {versions}.")
    return (f"zmq4's compiled extensions are missing in {_PKG}: this looks like the source "
            "tree. Build it in place (pip install --no-build-isolation -e .) or run from "
            "another directory so the installed zmq4 is imported.")
