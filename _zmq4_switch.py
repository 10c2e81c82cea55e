"""The switch: ``import zmq`` (and every ``import zmq.X``) resolves to zmq4.

Turned on in a process by :func:`install`, which ``python -m zmq4.run`` calls, or at
interpreter start by the ``zmq4-as-zmq.pth`` hook (installed beside this module in
site-packages) when the environment variable ``ZMQ4_AS_ZMQ`` is set to anything but ``""``
or ``"0"``. ``python -m zmq4.run`` also sets the variable, so child processes (a Jupyter
kernel, a multiprocessing worker) get the switch too.

Rules:

- Off unless asked: without the switch this module does nothing and ``import zmq`` is
  whatever is installed (pyzmq). The ``.pth`` line only reads ``os.environ`` when the
  variable is unset; this module imports nothing but the standard library, and zmq4 itself
  is imported only when a program imports ``zmq``.
- One mechanism: a meta-path finder placed first on :data:`sys.meta_path` maps the name
  ``zmq`` to ``zmq4`` and ``zmq.X.Y`` to ``zmq4.X.Y``. The module objects are shared, not
  copied: ``sys.modules["zmq.sugar.socket"] is sys.modules["zmq4.sugar.socket"]``, so a
  class, an exception or a module-level registry is the same object under both names.
- Never a fallback: a ``zmq.X`` for which zmq4 has no ``zmq4.X`` is a
  ``ModuleNotFoundError`` naming ``zmq.X`` (pyzmq is not consulted). Errors raised while
  importing an existing ``zmq4.X`` (a missing optional dependency...) propagate unchanged.
- No mixing: turning the switch on after pyzmq was imported into the process is an error,
  since two ``zmq`` packages would then coexist.

This module is top level (not inside the ``zmq4`` package) so that the ``.pth`` hook can
load it without importing zmq4: importing zmq4 costs tens of milliseconds, which every
Python process started with the variable set would otherwise pay at start-up.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~10 ms at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import CodeType, ModuleType

#: The environment variable that turns the switch on at interpreter start.
ENV_VAR = "ZMQ4_AS_ZMQ"
#: The name of the ``.pth`` hook shipped in the wheel (site-packages, beside this module).
PTH_NAME = "zmq4-as-zmq.pth"

ALIAS = "zmq"
TARGET = "zmq4"


def requested(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``ZMQ4_AS_ZMQ`` asks for the switch: set, and neither empty nor ``"0"``."""
    env = os.environ if environ is None else environ
    return env.get(ENV_VAR, "") not in ("", "0")


def _aliased(fullname: str) -> bool:
    return fullname == ALIAS or fullname.startswith(ALIAS + ".")


def _target(fullname: str) -> str:
    return TARGET + fullname[len(ALIAS):]


class ZmqAsZmq4:
    """Finder and loader for ``zmq`` / ``zmq.*``: the spec it returns loads the module by
    importing its ``zmq4`` twin and handing over that very object. (The protocols of
    ``importlib.abc`` by duck typing: importing that module costs ~20 ms at start-up.)"""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not _aliased(fullname):
            return None
        real_name = _target(fullname)
        real = sys.modules.get(real_name)
        if real is not None:
            real_spec = getattr(real, "__spec__", None)
            locations = getattr(real, "__path__", None)
            origin = getattr(real_spec, "origin", None)
        else:
            from importlib.util import find_spec  # not at start-up: it imports contextlib

            try:
                real_spec = find_spec(real_name)
            except ModuleNotFoundError:  # a parent is not a package
                return None
            if real_spec is None:
                return None
            locations = real_spec.submodule_search_locations
            origin = real_spec.origin
        spec = importlib.machinery.ModuleSpec(
            fullname, self,  # type: ignore[arg-type]  # a Loader by duck typing
            origin=origin, loader_state={"target": real_name},
            is_package=locations is not None)
        if locations is not None:
            # The same list object as the real package's: the import system leaves an
            # existing __path__ alone, and the two names can never disagree.
            spec.submodule_search_locations = locations
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        state = spec.loader_state
        assert isinstance(state, dict)
        module = importlib.import_module(state["target"])
        # The import system now stamps the alias spec on the module; keep the real one.
        state["spec"] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        spec = module.__spec__
        state = getattr(spec, "loader_state", None)
        if isinstance(state, dict) and "spec" in state:
            module.__spec__ = state["spec"]  # already executed under its zmq4 name

    def get_code(self, fullname: str) -> CodeType | None:
        """The code of ``zmq.X``'s zmq4 twin, for ``python -m zmq.X`` (runpy runs it as
        ``__main__``: pyzmq's ``python -m zmq.log``, ``python -m zmq.curve_keygen``)."""
        from importlib.util import find_spec

        real = find_spec(_target(fullname))
        get = getattr(getattr(real, "loader", None), "get_code", None)
        return get(real.name) if real is not None and get is not None else None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: import {ALIAS} -> {TARGET}>"


def _finder() -> object | None:
    # By class name too: a second copy of this module (the .pth loaded the installed one,
    # a dev checkout on PYTHONPATH shadows it later) must see the first copy's finder.
    for entry in sys.meta_path:
        if type(entry).__name__ == ZmqAsZmq4.__name__:
            return entry
    return None


def installed() -> bool:
    """Whether the switch is on in this process."""
    return _finder() is not None


def install() -> None:
    """Turn the switch on in this process (idempotent). ``RuntimeError`` if a ``zmq``
    that is not zmq4 (pyzmq) is already imported."""
    if installed():
        return
    foreign = sorted(name for name, mod in list(sys.modules.items())
                     if _aliased(name) and mod is not None
                     and not getattr(mod, "__name__", "").startswith(TARGET))
    if foreign:
        raise RuntimeError(
            f"cannot make 'import zmq' resolve to zmq4: {', '.join(foreign[:5])} "
            "(pyzmq) is already imported in this process; turn the switch on before "
            "anything imports zmq (python -m zmq4.run, or ZMQ4_AS_ZMQ=1 in the environment)")
    sys.meta_path.insert(0, ZmqAsZmq4())


def uninstall() -> None:
    """Turn the switch off: remove the finder and forget the ``zmq`` names it bound (the
    zmq4 modules stay imported under their own names)."""
    finder = _finder()
    if finder is None:
        return
    sys.meta_path.remove(finder)  # type: ignore[arg-type]
    for name, mod in list(sys.modules.items()):
        if _aliased(name) and getattr(mod, "__name__", "").startswith(TARGET):
            del sys.modules[name]


def install_from_environment() -> None:
    """The ``.pth`` hook's entry point: :func:`install` when ``ZMQ4_AS_ZMQ`` asks for it."""
    if requested():
        install()


def hook_installed() -> bool:
    """Whether this interpreter processes zmq4's ``.pth`` hook at start (zmq4 was
    installed with pip, not only put on ``PYTHONPATH``)."""
    import site

    dirs = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return any(os.path.exists(os.path.join(d, PTH_NAME)) for d in dirs)


__all__ = ["ENV_VAR", "PTH_NAME", "ZmqAsZmq4", "hook_installed", "install",
           "install_from_environment", "installed", "requested", "uninstall"]
