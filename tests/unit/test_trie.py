"""Tests for zmq4.core.trie.Trie (libzmq trie_t: the SUB/XSUB counted subscription set)."""

from __future__ import annotations

import inspect
import sys
from array import array
from collections import Counter
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from zmq4.core import trie as trie_mod
from zmq4.core.trie import CHUNK, TierNode, Trie

# -- helpers shared with test_mtrie.py (kept local: no conftest edits) ----------------------


@contextmanager
def shallow_stack(headroom: int = 60):
    """Run the body with a recursion limit only ``headroom`` frames above the caller."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def check_structure(root: TierNode, stored_value_ok=lambda v: True) -> int:
    """Verify the tiered-index invariants iteratively; return the number of keys."""
    total = 0
    stack = [root]
    while stack:
        node = stack.pop()
        vals, lens, nlen, kids = node.vals, node.lens, node.nlen, node.kids
        if node.parent is None:
            assert node is root
            assert isinstance(vals, dict) and isinstance(lens, list)
        else:
            assert node.parent.kids[node.pkey] is node
            assert len(node.pkey) == CHUNK
            # no empty non-root node survives, and empty containers are released
            assert vals or kids
            if not vals:
                assert vals is None and nlen is None and lens == ()
            if not kids:
                assert kids is None
        if vals:
            assert all(len(k) < CHUNK for k in vals)
            assert all(stored_value_ok(v) for v in vals.values())
            assert list(lens) == sorted(set(map(len, vals)))
            assert nlen == Counter(map(len, vals))
            total += len(vals)
        if kids:
            for chunk, child in kids.items():
                assert len(chunk) == CHUNK and child.pkey == chunk and child.parent is node
                stack.append(child)
    return total


# Prefix strategy: tiny alphabet so prefixes collide, plus long ones around the tier
# boundaries (CHUNK-1, CHUNK, CHUNK+1, 2*CHUNK, ...) built from the same alphabet.
_short = st.binary(max_size=3).map(lambda b: bytes(x % 2 + 97 for x in b))
_long_sizes = st.sampled_from(
    [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1]
)
_long = st.builds(lambda n, tail: b"a" * n + tail, _long_sizes, _short)
prefixes = st.one_of(_short, _short, _long)
datas = st.one_of(prefixes, st.builds(lambda p, q: p + q, prefixes, _short))


def model_check(model: Counter, data: bytes) -> bool:
    return any(data.startswith(p) for p, c in model.items() if c > 0)


# -- state machine against a Counter --------------------------------------------------------


class TrieMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.trie = Trie()
        self.model: Counter = Counter()

    @rule(p=prefixes)
    def add(self, p):
        expected = self.model[p] == 0
        self.model[p] += 1
        assert self.trie.add(p) is expected

    @rule(p=prefixes)
    def rm(self, p):
        if self.model[p] == 0:
            expected = False
        else:
            self.model[p] -= 1
            expected = self.model[p] == 0
        if not self.model[p]:
            del self.model[p]
        assert self.trie.rm(p) is expected

    @rule(d=datas)
    def check(self, d):
        assert self.trie.check(d) is model_check(self.model, d)

    @rule(p=prefixes)
    def count(self, p):
        assert self.trie.count(p) == self.model[p]
        assert (p in self.trie) is (self.model[p] > 0)

    @invariant()
    def consistent(self):
        live = {p: c for p, c in self.model.items() if c > 0}
        assert len(self.trie) == len(live)
        assert self.trie.items() == sorted(live.items())
        assert self.trie.prefixes() == sorted(live)
        assert check_structure(self.trie._root, lambda v: isinstance(v, int) and v > 0) == len(live)


TestTrieMachine = TrieMachine.TestCase
TestTrieMachine.settings = settings(
    max_examples=150,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@settings(max_examples=200, deadline=None)
@given(st.lists(prefixes, max_size=12), st.lists(datas, max_size=12))
def test_check_matches_model(subs, probes):
    t = Trie()
    for p in subs:
        t.add(p)
    model = Counter(subs)
    for d in probes + subs:
        assert t.check(d) is model_check(model, d)
    # apply visits each distinct prefix once, ascending
    seen = []
    t.apply(seen.append)
    assert seen == sorted(set(subs))
    assert list(t) == seen


# -- edge cases -----------------------------------------------------------------------------


def test_empty_trie_matches_nothing():
    t = Trie()
    assert not t.check(b"")
    assert not t.check(b"abc")
    assert len(t) == 0 and not t and t.prefixes() == []
    assert t.rm(b"") is False and t.rm(b"x") is False


def test_empty_prefix_matches_everything():
    t = Trie()
    assert t.add(b"") is True
    assert t.check(b"") and t.check(b"x") and t.check(b"x" * 1000)
    assert t.add(b"") is False
    assert t.rm(b"") is False
    assert t.check(b"anything")
    assert t.rm(b"") is True
    assert not t.check(b"anything")


def test_prefix_equal_to_data_and_longer_than_data():
    t = Trie()
    t.add(b"abc")
    assert t.check(b"abc")
    assert t.check(b"abcd")
    assert not t.check(b"ab")
    assert not t.check(b"")
    assert not t.check(b"abd")


def test_counting_semantics():
    t = Trie()
    assert [t.add(b"A") for _ in range(3)] == [True, False, False]
    assert t.count(b"A") == 3 and len(t) == 1
    assert [t.rm(b"A") for _ in range(4)] == [False, False, True, False]
    assert t.count(b"A") == 0 and len(t) == 0
    # removing an absent prefix changes nothing, even when a longer/shorter one exists
    t.add(b"AB")
    assert t.rm(b"A") is False and t.rm(b"ABC") is False
    assert t.prefixes() == [b"AB"]


def test_bytes_like_inputs():
    t = Trie()
    assert t.add(bytearray(b"ab")) is True
    assert t.add(memoryview(b"ab")) is False
    assert t.check(bytearray(b"abc")) and t.check(memoryview(b"abx"))
    assert t.check(memoryview(bytearray(b"ab")))
    assert not t.check(memoryview(b"a"))
    assert t.rm(memoryview(b"ab")) is False and t.rm(bytearray(b"ab")) is True
    with pytest.raises(TypeError):
        t.add("text")  # type: ignore[arg-type]
    t.add(b"q")
    with pytest.raises(TypeError):
        t.check("text")  # type: ignore[arg-type]


def test_bytes_like_messages_match_like_bytes():
    t = Trie()
    t.add(b"ace")
    t.add(b"ab")
    big = bytearray(b"abc" + b"z" * 100_000)
    assert t.check(big) and t.check(memoryview(big)) and t.check(memoryview(big)[1:]) is False
    assert t.check(memoryview(b"abcdef")[::2])  # non-contiguous: b"ace"
    assert not t.check(memoryview(b"abcdef")[1::2])  # b"bdf"
    assert t.check(array("B", b"ab"))
    assert not t.check(array("H", [0x6261]).tobytes()[:1])  # b"a": shorter than prefixes
    assert t.check(array("H", [0x6261, 0]))  # buffer of 2-byte items, raw bytes b"ab\0\0"
    t.add(b"x" * (CHUNK + 1))
    assert t.check(bytearray(b"x" * (CHUNK + 2))) and not t.check(bytearray(b"x" * CHUNK))


def test_apply_order_and_snapshot():
    t = Trie()
    for p in [b"b", b"", b"ab", b"a", b"a" * CHUNK + b"z", b"a" * CHUNK, b"c" * (CHUNK + 5)]:
        t.add(p)
        t.add(p)
    out = []

    def fn(p):
        out.append(p)
        t.rm(p)  # mutating during apply is allowed (snapshot)

    t.apply(fn)
    assert out == sorted(out) and len(out) == 7
    assert len(t) == 7  # each removed once, counts were 2
    t.apply(t.rm)
    assert len(t) == 0 and check_structure(t._root) == 0


def test_tier_boundaries():
    t = Trie()
    for n in (CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK):
        t.add(b"x" * n)
    assert not t.check(b"x" * (CHUNK - 2))
    assert t.check(b"x" * (CHUNK - 1))
    assert t.check(b"x" * CHUNK + b"y")
    t.rm(b"x" * (CHUNK - 1))
    assert not t.check(b"x" * (CHUNK - 1))
    assert t.check(b"x" * CHUNK)
    assert not t.check(b"x" * (CHUNK - 1) + b"y" + b"x" * CHUNK)
    t.rm(b"x" * CHUNK)
    assert not t.check(b"x" * CHUNK + b"y")
    assert t.check(b"x" * (CHUNK + 1))
    for n in (CHUNK + 1, 2 * CHUNK):
        assert t.rm(b"x" * n) is True
    assert len(t) == 0 and not t._root.kids and check_structure(t._root) == 0


def test_one_megabyte_topic_no_recursion():
    topic = bytes(range(256)) * 4096  # 1 MiB
    t = Trie()
    with shallow_stack():
        assert t.add(topic) is True
        assert t.check(topic)
        assert t.check(topic + b"tail")
        assert not t.check(topic[:-1])
        assert not t.check(topic[:-1] + b"\xfe")
        assert t.prefixes() == [topic]
        assert check_structure(t._root) == 1
        assert t.rm(topic) is True
    assert len(t) == 0 and not t._root.kids


def test_ten_thousand_nested_prefixes_no_recursion():
    n = 10_000
    t = Trie()
    with shallow_stack():
        for i in range(1, n + 1):
            assert t.add(b"a" * i) is True
        assert len(t) == n
        assert t.check(b"a" * (n + 5)) and t.check(b"a") and not t.check(b"b")
        assert check_structure(t._root) == n
        got = []
        t.apply(got.append)
        assert got == [b"a" * i for i in range(1, n + 1)]
        for i in range(n, 0, -2):  # remove from the deep end, then the rest
            assert t.rm(b"a" * i) is True
        assert t.check(b"a" * n)
        for i in range(1, n, 2):
            assert t.rm(b"a" * i) is True
    assert len(t) == 0 and not t.check(b"a" * n)
    assert not t._root.kids and check_structure(t._root) == 0


def test_module_exports():
    assert trie_mod.__all__ == ["Trie"]
