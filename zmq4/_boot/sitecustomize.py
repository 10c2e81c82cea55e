"""Start-up hook for children of ``python -m zmq4.run`` when zmq4's ``.pth`` hook is not
installed (a source checkout on ``PYTHONPATH``): ``zmq4.run`` puts this directory first on
the children's ``PYTHONPATH``, so Python's ``site`` imports this module at start.

It turns the switch on when ``ZMQ4_AS_ZMQ`` asks for it, then imports the
``sitecustomize`` it shadows (the next one on ``sys.path``), if any, so that hook still
runs. A child whose interpreter cannot import the switch (another Python without zmq4)
just runs without it.
"""

from __future__ import annotations

import os
import sys


def _run() -> None:
    try:
        import _zmq4_switch
    except ImportError:
        pass
    else:
        _zmq4_switch.install_from_environment()
    here = os.path.dirname(os.path.abspath(__file__))
    this = sys.modules.pop("sitecustomize", None)
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        import sitecustomize  # noqa: F401 - the shadowed hook, if there is one
    except ImportError as exc:
        if exc.name != "sitecustomize":
            raise
        if this is not None:
            sys.modules["sitecustomize"] = this
    finally:
        sys.path[:] = saved


_run()
