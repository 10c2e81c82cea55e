"""Tests for zmq4.core.mtrie.MTrie (libzmq mtrie_t: PUB/XPUB prefix -> pipes)."""

from __future__ import annotations

import inspect
import sys
from array import array
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from zmq4.core import mtrie as mtrie_mod
from zmq4.core.mtrie import MTrie
from zmq4.core.trie import CHUNK, TierNode


@contextmanager
def shallow_stack(headroom: int = 60):
    """Run the body with a recursion limit only ``headroom`` frames above the caller."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def check_structure(m: MTrie) -> None:
    """Tiered-index invariants plus MTrie record / reverse-index consistency."""
    root: TierNode = m._root
    by_prefix = {}
    stack = [root]
    while stack:
        node = stack.pop()
        vals, kids = node.vals, node.kids
        if node.parent is not None:
            assert node.parent.kids[node.pkey] is node and len(node.pkey) == CHUNK
            assert vals or kids
            if not vals:
                assert vals is None and node.nlen is None and node.lens == ()
            if not kids:
                assert kids is None
        if vals:
            assert list(node.lens) == sorted({len(k) for k in vals})
            assert sum(node.nlen.values()) == len(vals)
            for rel, rec in vals.items():
                pipes, snap, key = rec
                assert pipes and isinstance(pipes, set)
                assert snap is None or snap == pipes
                assert key.endswith(rel) and len(key) % CHUNK == len(rel)
                by_prefix[key] = set(pipes)
        if kids:
            stack.extend(kids.values())
    reverse = {}
    for key, pipes in by_prefix.items():
        for p in pipes:
            reverse.setdefault(p, set()).add(key)
    assert reverse == m._by_pipe
    assert len(m) == len(by_prefix)
    return by_prefix


_short = st.binary(max_size=3).map(lambda b: bytes(x % 2 + 97 for x in b))
_long_sizes = st.sampled_from(
    [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1]
)
_long = st.builds(lambda n, tail: b"a" * n + tail, _long_sizes, _short)
prefixes = st.one_of(_short, _short, _long)
datas = st.one_of(prefixes, st.builds(lambda p, q: p + q, prefixes, _short))
pipes = st.sampled_from(["p0", "p1", "p2", 3])


def model_match(model: dict, data: bytes) -> set:
    out = set()
    for p, ps in model.items():
        if data.startswith(p):
            out |= ps
    return out


class MTrieMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.m = MTrie()
        self.model: dict[bytes, set] = {}
        self.kept: list[tuple[object, frozenset]] = []  # (match result, its value then)

    @rule(p=prefixes, pipe=pipes)
    def add(self, p, pipe):
        expected = not self.model.get(p)
        self.model.setdefault(p, set()).add(pipe)
        assert self.m.add(p, pipe) is expected

    @rule(p=prefixes, pipe=pipes)
    def rm(self, p, pipe):
        ps = self.model.get(p)
        if ps is None or pipe not in ps:
            expected = False
        else:
            ps.discard(pipe)
            expected = not ps
            if not ps:
                del self.model[p]
        assert self.m.rm(p, pipe) is expected

    @rule(pipe=pipes)
    def rm_all(self, pipe):
        orphans = []
        for p in list(self.model):
            ps = self.model[p]
            if pipe in ps:
                ps.discard(pipe)
                if not ps:
                    del self.model[p]
                    orphans.append(p)
        calls = []
        assert self.m.rm_all(pipe, calls.append) == sorted(orphans)
        assert calls == sorted(orphans)

    @rule(d=datas)
    def match(self, d):
        got = self.m.match(d)
        expected = model_match(self.model, d)
        assert set(got) == expected and len(list(got)) == len(expected)
        self.kept.append((got, frozenset(got)))

    @invariant()
    def consistent(self):
        assert check_structure(self.m) == self.model
        assert self.m.items() == sorted((p, frozenset(s)) for p, s in self.model.items())
        # results handed out earlier are snapshots, not live views of the table
        for got, then in self.kept[-5:]:
            assert frozenset(got) == then


TestMTrieMachine = MTrieMachine.TestCase
TestMTrieMachine.settings = settings(
    max_examples=150,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(prefixes, pipes), max_size=15), st.lists(datas, max_size=12))
def test_match_matches_model(subs, probes):
    m = MTrie()
    model: dict[bytes, set] = {}
    for p, pipe in subs:
        m.add(p, pipe)
        model.setdefault(p, set()).add(pipe)
    for d in probes + [p for p, _ in subs]:
        assert set(m.match(d)) == model_match(model, d)


# -- semantics ------------------------------------------------------------------------------


def test_no_subscriptions_match_nothing():
    m = MTrie()
    assert not m.match(b"") and not m.match(b"x" * 64) and not m.match(b"y" * 10_000)
    assert len(m) == 0 and not m and m.rm_all("p", lambda p: 1 / 0) == []
    assert m.rm(b"", "p") is False


def test_set_semantics_per_pipe():
    """libzmq 4.0 keeps a std::set of pipes per node: a repeated subscribe is a no-op."""
    m = MTrie()
    assert m.add(b"A", "p1") is True
    assert m.add(b"A", "p1") is False
    assert m.add(b"A", "p2") is False
    assert m.subscribers(b"A") == {"p1", "p2"}
    assert m.rm(b"A", "p1") is False  # one rm undoes both adds of p1
    assert m.subscribers(b"A") == {"p2"}
    assert m.rm(b"A", "p1") is False  # not subscribed any more: no change
    assert m.rm(b"A", "p2") is True
    assert m.rm(b"A", "p2") is False
    assert len(m) == 0 and not m and m.pipes() == []


def test_rm_of_unsubscribed_pipe_is_harmless():
    """[guard] libzmq 4.0 asserts here; we return False and change nothing."""
    m = MTrie()
    m.add(b"AB", "p1")
    assert m.rm(b"AB", "p2") is False
    assert m.rm(b"A", "p1") is False  # intermediate / shorter prefix
    assert m.rm(b"ABC", "p1") is False
    assert m.rm(b"", "p1") is False
    assert m.items() == [(b"AB", frozenset({"p1"}))]
    check_structure(m)


def test_empty_prefix_and_boundaries():
    m = MTrie()
    m.add(b"", "all")
    m.add(b"abc", "abc")
    assert set(m.match(b"")) == {"all"}
    assert set(m.match(b"ab")) == {"all"}  # data shorter than prefix
    assert set(m.match(b"abc")) == {"all", "abc"}  # prefix equal to data
    assert set(m.match(b"abcd")) == {"all", "abc"}
    assert set(m.match(b"abd")) == {"all"}


def test_match_returns_distinct_pipes_and_snapshots():
    m = MTrie()
    for p in (b"", b"a", b"ab", b"abc"):
        m.add(p, "x")
    m.add(b"ab", "y")
    got = m.match(b"abcd")
    assert sorted(got, key=str) == ["x", "y"]  # each pipe once
    single = m.match(b"b")
    assert single == {"x"}
    # the results are not live views of internal state
    m.rm_all("x")
    m.rm_all("y")
    assert set(got) == {"x", "y"} and single == {"x"}
    if isinstance(got, set):
        got.clear()  # caller-owned
    m.add(b"a", "z")
    r1 = m.match(b"a")
    m.add(b"a", "w")
    assert r1 == {"z"} and m.match(b"a") == {"z", "w"}


def test_rm_all_callbacks_once_per_orphaned_prefix():
    m = MTrie()
    subs = {
        "p1": [b"", b"a", b"ab", b"b", b"x" * (CHUNK + 3), b"y" * 2 * CHUNK],
        "p2": [b"ab", b"c", b"y" * 2 * CHUNK],
    }
    for pipe, ps in subs.items():
        for p in ps:
            m.add(p, pipe)
            m.add(p, pipe)  # duplicates must not produce duplicate callbacks
    calls = []
    orphans = m.rm_all("p1", calls.append)
    expected = sorted([b"", b"a", b"b", b"x" * (CHUNK + 3)])
    assert calls == expected and orphans == expected
    assert m.items() == sorted(
        [
            (b"ab", frozenset({"p2"})),
            (b"c", frozenset({"p2"})),
            (b"y" * 2 * CHUNK, frozenset({"p2"})),
        ]
    )
    assert m.rm_all("p1", calls.append) == [] and calls == expected  # nothing more
    calls.clear()
    m.rm_all("p2", calls.append)
    assert calls == sorted([b"ab", b"c", b"y" * 2 * CHUNK])
    assert len(m) == 0 and not m._root.kids and not m._root.vals
    check_structure(m)


def test_rm_all_callback_may_use_the_mtrie():
    m = MTrie()
    m.add(b"t", "p1")
    m.add(b"u", "p1")
    seen = []

    def fn(prefix):
        seen.append((prefix, set(m.match(prefix)), len(m)))

    m.rm_all("p1", fn)
    assert seen == [(b"t", set(), 0), (b"u", set(), 0)]


def test_bytes_like_inputs():
    m = MTrie()
    assert m.add(bytearray(b"ab"), 1) is True
    assert m.add(memoryview(b"ab"), 2) is False
    assert set(m.match(bytearray(b"abc"))) == {1, 2}
    assert set(m.match(memoryview(bytearray(b"abx")))) == {1, 2}
    assert m.rm(memoryview(b"ab"), 1) is False and m.rm(bytearray(b"ab"), 2) is True
    assert m.subscriptions_of(1) == frozenset() and len(m) == 0
    m.add(b"ace", "ace")
    m.add(b"a", "a")
    big = bytearray(b"acex" + bytes(100_000))
    assert set(m.match(memoryview(big))) == {"a", "ace"}
    assert set(m.match(memoryview(b"abcdef")[::2])) == {"a", "ace"}  # non-contiguous
    assert set(m.match(array("H", [0x6361, 0x0065]))) == {"a", "ace"}  # raw b"ace\0"
    assert set(m.match(memoryview(big)[1:])) == set()
    m.add(b"y" * (CHUNK + 1), "long")
    assert set(m.match(bytearray(b"y" * (CHUNK + 1)))) == {"long"}


def test_long_prefix_shared_by_many_pipes_is_stored_once():
    topic = b"q" * (3 * CHUNK + 7)
    m = MTrie()
    for i in range(50):
        m.add(bytes(topic), i)  # distinct but equal objects
    keys = {id(k) for i in range(50) for k in m._by_pipe[i]}
    assert len(keys) == 1
    assert set(m.match(topic + b"!")) == set(range(50))


def test_one_megabyte_topic_no_recursion():
    topic = bytes(range(256)) * 4096  # 1 MiB
    m = MTrie()
    with shallow_stack():
        assert m.add(topic, "big") is True
        assert m.add(b"", "all") is True
        assert set(m.match(topic)) == {"big", "all"}
        assert set(m.match(topic + b"tail")) == {"big", "all"}
        assert set(m.match(topic[:-1])) == {"all"}
        assert set(m.match(topic[:-1] + b"\x00")) == {"all"}
        check_structure(m)
        assert m.rm(topic, "big") is True
        m.add(topic, "big")
        calls = []
        assert m.rm_all("big", calls.append) == [topic] and calls == [topic]
    assert not m._root.kids
    check_structure(m)


def test_ten_thousand_nested_prefixes_no_recursion():
    n = 10_000
    m = MTrie()
    with shallow_stack():
        for i in range(1, n + 1):
            assert m.add(b"a" * i, i % 3) is (True)
        assert len(m) == n
        assert set(m.match(b"a" * (n + 1))) == {0, 1, 2}
        assert set(m.match(b"a")) == {1}
        assert not m.match(b"b" * n)
        check_structure(m)
        for i in range(n, 0, -3):
            assert m.rm(b"a" * i, i % 3) is True
        calls = []
        orphans = m.rm_all(2, calls.append)
        assert (
            calls
            == orphans
            == [b"a" * i for i in range(1, n + 1) if i % 3 == 2 and (n - i) % 3 != 0]
        )
        m.rm_all(0)
        m.rm_all(1)
    assert len(m) == 0 and not m._root.kids and not m.match(b"a" * n)
    check_structure(m)


def test_module_exports():
    assert mtrie_mod.__all__ == ["MTrie"]
