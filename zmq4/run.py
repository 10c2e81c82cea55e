"""``python -m zmq4.run``: run a program written for pyzmq on zmq4, unmodified.

    python -m zmq4.run prog.py [args...]
    python -m zmq4.run -m package.module [args...]
    python -m zmq4.run -c "code" [args...]

Runs the program as ``python`` would (``sys.argv``, ``sys.path[0]``, ``__main__``, exit
status) with the switch on (:mod:`_zmq4_switch`: ``import zmq`` and every ``zmq.X`` resolve
to zmq4's modules), and sets ``ZMQ4_AS_ZMQ=1`` in the environment so that child processes
get the switch too. Children need a start-up hook to honour the variable: zmq4's ``.pth``
file when zmq4 is pip-installed; otherwise (a source checkout on ``PYTHONPATH``) this
module puts ``zmq4/_boot`` on the children's ``PYTHONPATH``, whose ``sitecustomize`` does
the same and then runs the ``sitecustomize`` it shadows.
"""

from __future__ import annotations

import os
import runpy
import sys
import types

import _zmq4_switch

USAGE = ("usage: python -m zmq4.run [-m module | -c code | script] [args...]\n"
         "Runs a Python program with 'import zmq' resolving to zmq4 (also in its children).")

BOOT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_boot")


def enable_for_children(environ: dict[str, str] | None = None) -> None:
    """Set ``ZMQ4_AS_ZMQ=1`` in ``environ`` (default: ``os.environ``, which children
    inherit), and when no ``.pth`` hook will honour it, add the ``_boot`` directory to
    ``PYTHONPATH``."""
    env: dict[str, str] | os._Environ[str] = os.environ if environ is None else environ
    env[_zmq4_switch.ENV_VAR] = "1"
    if _zmq4_switch.hook_installed():
        return
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if BOOT_DIR not in parts:
        env["PYTHONPATH"] = os.pathsep.join([BOOT_DIR, *parts])


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not args else sys.stdout)
        raise SystemExit(2 if not args else 0)
    _zmq4_switch.install()
    enable_for_children()
    kind = args[0]
    if kind == "-m":
        if len(args) < 2:
            raise SystemExit("python -m zmq4.run: -m needs a module name\n" + USAGE)
        sys.argv = [args[1], *args[2:]]  # run_module puts the module's file in argv[0]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    elif kind == "-c":
        if len(args) < 2:
            raise SystemExit("python -m zmq4.run: -c needs an argument\n" + USAGE)
        sys.argv = ["-c", *args[2:]]
        main_module = types.ModuleType("__main__")
        main_module.__dict__["__builtins__"] = __builtins__
        sys.modules["__main__"] = main_module
        exec(compile(args[1], "<string>", "exec"), main_module.__dict__)
    elif kind.startswith("-"):
        raise SystemExit(f"python -m zmq4.run: unknown option {kind!r}\n" + USAGE)
    else:
        script = kind
        sys.argv = [script, *args[1:]]
        # As `python prog.py`: the script's directory first on sys.path, not the cwd.
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
