"""zmq4.core.sockets.subscription.PublishPath: a message goes to exactly the pipes whose
subscriptions match its first frame, also while the path reuses what it found for the
previous message (the same table entry covering every pipe): a pipe that attaches
without subscribing, unsubscribes or goes away is never sent what it did not ask for."""

from __future__ import annotations

from support import RecordingSink

from zmq4.core.dist import Dist
from zmq4.core.mtrie import MTrie
from zmq4.core.pipe import Pipe, pipepair
from zmq4.core.sockets.subscription import PublishPath
from zmq4.msg import MORE, Msg


class Publisher:
    """A PublishPath with its table and Dist, and helpers to add subscribers."""

    def __init__(self) -> None:
        self.table = MTrie()
        self.dist = Dist()
        self.path = PublishPath(self.table, self.dist)

    def subscriber(self, *prefixes: bytes) -> tuple[Pipe, Pipe]:
        writer, reader = pipepair(RecordingSink(), RecordingSink(), 1000, 1000)
        self.dist.attach(writer)
        for prefix in prefixes:
            self.table.add(prefix, writer)
        return writer, reader

    def leave(self, writer: Pipe) -> None:
        self.table.rm_all(writer)  # as XPUB.xpipe_terminated does
        self.dist.terminated(writer)

    def send(self, *parts: bytes) -> None:
        for i, part in enumerate(parts):
            assert self.path.xsend(Msg(part, MORE if i + 1 < len(parts) else 0))


def got(reader: Pipe) -> list[bytes]:
    out = []
    while (m := reader.read()) is not None:
        out.append(m.bytes())
    return out


def test_every_subscriber_to_everything_gets_every_message_whole() -> None:
    pub = Publisher()
    readers = [pub.subscriber(b"")[1] for _ in range(3)]
    for i in range(5):
        pub.send(b"m%d" % i, b"tail")
    for r in readers:
        assert got(r) == [x for i in range(5) for x in (b"m%d" % i, b"tail")]


def test_a_pipe_attached_without_a_subscription_gets_nothing() -> None:
    pub = Publisher()
    _, all1 = pub.subscriber(b"")
    pub.send(b"first")  # the path now knows the entry covers every pipe
    _, silent = pub.subscriber()  # attached, not subscribed: the entry no longer covers
    pub.send(b"second")
    assert got(all1) == [b"first", b"second"]
    assert got(silent) == []


def test_an_unsubscribed_or_departed_pipe_stops_getting_messages() -> None:
    pub = Publisher()
    w1, r1 = pub.subscriber(b"")
    w2, r2 = pub.subscriber(b"")
    w3, r3 = pub.subscriber(b"")
    pub.send(b"a")
    pub.table.rm(b"", w2)  # unsubscribes, stays attached
    pub.send(b"b")
    pub.leave(w3)
    pub.send(b"c")
    assert got(r1) == [b"a", b"b", b"c"]
    assert got(r2) == [b"a"]
    assert got(r3) == [b"a", b"b"]


def test_prefixes_still_filter_and_a_pipe_matching_twice_gets_one_copy() -> None:
    pub = Publisher()
    _, both = pub.subscriber(b"", b"A")
    _, only_a = pub.subscriber(b"A")
    for topic in (b"A1", b"B1", b"A2", b"A3", b"B2"):
        pub.send(topic)
    assert got(both) == [b"A1", b"B1", b"A2", b"A3", b"B2"]
    assert got(only_a) == [b"A1", b"A2", b"A3"]
