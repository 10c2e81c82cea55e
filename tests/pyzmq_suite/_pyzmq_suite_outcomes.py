"""pytest plugin loaded into the pyzmq-suite subprocesses (``-p _pyzmq_suite_outcomes``):
records one outcome per test node id — ``passed``, ``failed``, ``skipped`` or ``xfailed`` —
and the modules that failed to import, as JSON in the file named by
``ZMQ4_PYZMQ_SUITE_RESULTS``; deselects the node ids listed (one a line) in the file named by
``ZMQ4_PYZMQ_SUITE_DESELECT``. A test passes when its call passed and neither setup nor
teardown failed. Imports nothing from zmq or zmq4."""

from __future__ import annotations

import json
import os
from typing import Any

_outcomes: dict[str, str] = {}
_collect_errors: dict[str, str] = {}
_RANK = {"passed": 0, "skipped": 1, "xfailed": 1, "failed": 2}


def _note(nodeid: str, outcome: str) -> None:
    old = _outcomes.get(nodeid)
    if old is None or _RANK[outcome] > _RANK[old]:
        _outcomes[nodeid] = outcome


def pytest_runtest_logreport(report: Any) -> None:
    if report.failed:
        _note(report.nodeid, "failed")
    elif report.skipped:
        _note(report.nodeid, "xfailed" if hasattr(report, "wasxfail") else "skipped")
    elif report.when == "call":
        _note(report.nodeid, "passed")  # an XPASS counts as passing


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    path = os.environ.get("ZMQ4_PYZMQ_SUITE_DESELECT")
    if not path:
        return
    with open(path) as f:
        drop = {line.strip() for line in f if line.strip()}
    kept = [item for item in items if item.nodeid not in drop]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid in drop])
        items[:] = kept


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        _collect_errors[report.nodeid] = str(report.longrepr)[-2000:]


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    path = os.environ.get("ZMQ4_PYZMQ_SUITE_RESULTS")
    if path:
        with open(path, "w") as f:
            json.dump({"outcomes": _outcomes, "collect_errors": _collect_errors}, f,
                      indent=0, sort_keys=True)
