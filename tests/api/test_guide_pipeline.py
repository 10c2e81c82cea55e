"""ZeroMQ guide pipeline (divide and conquer) written pyzmq-style against zmq4: the task
ventilator, parallel workers in threads, and the result sink (taskvent / taskwork2 /
tasksink2), with the sink stopping the workers through a PUB "KILL" control channel."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from support import bind_address

import zmq4 as zmq

TIMEOUT_MS = 10000
TASKS = 100
WORKERS = 3


class Background:
    """Run guide programs in threads; re-raise their exceptions in the test."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def start(self, target: Callable[..., Any], *args: Any) -> None:
        def run() -> None:
            try:
                target(*args)
            except BaseException as e:  # noqa: B036 - reported by join()
                self.errors.append(e)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.threads.append(t)

    def alive(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
            assert not t.is_alive(), "a guide program did not finish"
        if self.errors:
            raise self.errors[0]


def work(workload: int) -> int:
    """The "work" a task stands for (the guide sleeps; computing keeps the test fast)."""
    return sum(range(workload * 100))


def taskwork(context: zmq.Context, vent: str, sink: str, control: str,
             done_by: dict[int, int], me: int) -> None:
    """Worker: PULL tasks, PUSH results, stop on b"KILL" from the controller."""
    receiver = context.socket(zmq.PULL)
    receiver.connect(vent)
    sender = context.socket(zmq.PUSH)
    sender.connect(sink)
    controller = context.socket(zmq.SUB)
    controller.connect(control)
    controller.subscribe(b"")
    poller = zmq.Poller()
    poller.register(receiver, zmq.POLLIN)
    poller.register(controller, zmq.POLLIN)
    done = 0
    while True:
        socks = dict(poller.poll(TIMEOUT_MS))
        assert socks, "worker starved: no task and no KILL"
        if socks.get(receiver) == zmq.POLLIN:
            task = receiver.recv_json()
            result = work(task["workload"])
            sender.send_json({"task": task["task"], "result": result, "worker": me})
            done += 1
        if socks.get(controller) == zmq.POLLIN:
            assert controller.recv() == b"KILL"
            break
    done_by[me] = done
    for s in (receiver, sender, controller):
        s.close()


def test_pipeline(transport: str) -> None:
    context = zmq.Context()
    # ventilator and sink bind; the workers connect to both (the stable parts bind)
    ventilator = context.socket(zmq.PUSH)
    ventilator.bind(bind_address(transport))
    vent_endpoint = ventilator.last_endpoint.decode()
    sink = context.socket(zmq.PULL)
    sink.rcvtimeo = TIMEOUT_MS
    sink.bind(bind_address(transport))
    sink_endpoint = sink.last_endpoint.decode()
    control = context.socket(zmq.PUB)
    control.bind(bind_address(transport))
    control_endpoint = control.last_endpoint.decode()

    done_by: dict[int, int] = {}
    workers = Background()
    for me in range(WORKERS):
        workers.start(taskwork, context, vent_endpoint, sink_endpoint, control_endpoint,
                      done_by, me)

    # ventilator: the guide first tells the sink "0" (start of batch) and then sends tasks
    # (the results travel on other connections, so the sink takes the start signal before
    # any task goes out: the guide's "press Enter when the workers are ready")
    to_sink = context.socket(zmq.PUSH)
    to_sink.connect(sink_endpoint)
    to_sink.send(b"0")
    assert sink.recv() == b"0"
    workloads = [(n * 7) % 100 + 1 for n in range(TASKS)]
    for n, workload in enumerate(workloads):
        ventilator.send_json({"task": n, "workload": workload})

    # sink: every result
    results: dict[int, int] = {}
    for _ in range(TASKS):
        r = sink.recv_json()
        results[r["task"]] = r["result"]
    assert results == {n: work(w) for n, w in enumerate(workloads)}

    # the sink kills the workers; a late subscriber may miss one KILL, so repeat until
    # every worker has stopped
    while workers.alive():
        control.send(b"KILL")
        for t in workers.threads:
            t.join(0.05)
    workers.join()
    assert sum(done_by.values()) == TASKS and len(done_by) == WORKERS
    for s in (ventilator, sink, control, to_sink):
        s.close()
    context.term()


def test_fan_in(transport: str) -> None:
    """Fan-in: several producers (PUSH, one thread each) connect to one PULL sink; every
    message arrives exactly once and each producer's messages stay in order."""
    context = zmq.Context()
    sink = context.socket(zmq.PULL)
    sink.rcvtimeo = TIMEOUT_MS
    sink.bind(bind_address(transport))
    endpoint = sink.last_endpoint.decode()
    errors: queue.Queue[BaseException] = queue.Queue()

    def producer(me: int) -> None:
        try:
            push = context.socket(zmq.PUSH)
            push.connect(endpoint)
            for n in range(50):
                push.send_multipart([b"%d" % me, b"%d" % n])
            push.close()
        except BaseException as e:  # noqa: B036
            errors.put(e)

    threads = [threading.Thread(target=producer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    got = [tuple(sink.recv_multipart()) for _ in range(200)]
    for t in threads:
        t.join(10)
    assert errors.empty()
    assert sorted(got) == sorted((b"%d" % i, b"%d" % n) for i in range(4) for n in range(50))
    for i in range(4):  # per-producer order is kept
        mine = [int(n) for p, n in got if p == b"%d" % i]
        assert mine == list(range(50))
    sink.close()
    context.term()
