"""zmq4.zmtp._codec: ZMTP 3.0/2.0 and 1.0 framing, encode and incremental decode.

Checks exact bytes against a tiny reference encoder written from RFC 23 §Framing and
RFC 13, round trips under arbitrary chunking (hypothesis), the frame-size limit
(MAXMSGSIZE, spec §8.12) enforced before allocation, and malformed headers.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zmq4.zmtp import _codec
from zmq4.zmtp._codec import (
    COMMAND,
    LONG,
    MORE,
    Decoder,
    FrameScanner,
    encode_frame,
    encode_frame_v1,
    encode_message,
    encode_message_v1,
    encode_messages,
    encode_messages_iov,
    encode_messages_v1,
)
from zmq4.zmtp.errors import RemoteProtocolError

# --------------------------------------------------------------------------- reference


def ref_frame_v3(body: bytes, flags: int) -> bytes:
    if len(body) <= 255:
        return bytes((flags, len(body))) + body
    return bytes((flags | LONG,)) + len(body).to_bytes(8, "big") + body


def ref_frame_v1(body: bytes, flags: int) -> bytes:
    length = len(body) + 1
    if length < 255:
        return bytes((length, flags)) + body
    return b"\xff" + length.to_bytes(8, "big") + bytes((flags,)) + body


def ref_message(parts, v1=False) -> bytes:
    enc = ref_frame_v1 if v1 else ref_frame_v3
    return b"".join(enc(bytes(p), MORE if i + 1 < len(parts) else 0) for i, p in enumerate(parts))


def chunked(data: bytes, cuts: list[int]):
    """Split ``data`` at the (sorted, deduplicated) ``cuts`` positions."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    prev = 0
    for p in points:
        yield data[prev:p]
        prev = p
    yield data[prev:]


payloads = st.binary(max_size=300) | st.sampled_from([b"", b"x" * 255, b"y" * 256, b"z" * 1000])
messages_st = st.lists(st.lists(payloads, min_size=1, max_size=4), min_size=1, max_size=8)

# --------------------------------------------------------------------------- encoding


class TestEncode:
    def test_short_frame_bytes(self):
        out = bytearray()
        assert encode_message(out, [b"hello"]) == 7
        assert bytes(out) == b"\x00\x05hello"

    def test_multipart_more_flags(self):
        out = bytearray()
        encode_message(out, [b"a", b"", b"c"])
        assert bytes(out) == b"\x01\x01a\x01\x00\x00\x01c"

    def test_size_255_uses_short_form_256_uses_long(self):
        # RFC 23 §Framing / spec §5.4: libzmq uses LONG iff body > 255 bytes.
        out = bytearray()
        encode_message(out, [b"a" * 255])
        assert out[:2] == b"\x00\xff" and len(out) == 257
        out = bytearray()
        encode_message(out, [b"a" * 256])
        assert bytes(out[:9]) == b"\x02" + (256).to_bytes(8, "big") and len(out) == 265

    def test_appends_to_existing_buffer(self):
        out = bytearray(b"prefix")
        encode_message(out, [b"x"])
        assert bytes(out) == b"prefix\x00\x01x"

    def test_accepts_buffer_types(self):
        out = bytearray()
        encode_message(out, (bytearray(b"ab"), memoryview(b"cd"), b"ef"))
        assert bytes(out) == b"\x01\x02ab\x01\x02cd\x00\x02ef"

    def test_batch_equals_concatenation(self):
        msgs = [[b"a", b"b"], [b"c" * 300], [b""]]
        out = bytearray()
        n = encode_messages(out, msgs)
        assert n == len(out)
        assert bytes(out) == b"".join(ref_message(m) for m in msgs)

    def test_command_frame(self):
        out = bytearray()
        encode_frame(out, b"\x04PING\x00\x00", COMMAND)
        assert bytes(out) == b"\x04\x07\x04PING\x00\x00"

    def test_encode_frame_clears_reserved_bits(self):
        out = bytearray()
        encode_frame(out, b"x", 0xF8 | MORE)
        assert bytes(out) == b"\x01\x01x"

    def test_bad_inputs_raise_and_leave_buffer_untouched(self):
        out = bytearray(b"keep")
        with pytest.raises(ValueError):
            encode_message(out, [])
        with pytest.raises(TypeError):
            encode_message(out, b"not a list of parts")
        with pytest.raises(TypeError):
            encode_message(out, ["text"])
        with pytest.raises(TypeError):
            encode_messages(out, [[b"ok"], ["text"]])
        with pytest.raises(TypeError):
            encode_message(out, [b"ok", 5])
        assert bytes(out) == b"keep"

    @pytest.mark.parametrize("size", [0, 1, 252, 253, 254, 255, 256, 70000])
    def test_v1_boundaries(self, size):
        # RFC 13: length = size + 1; 1 byte when < 255, else 0xFF + 8-byte BE.
        body = b"q" * size
        out = bytearray()
        encode_message_v1(out, [body])
        assert bytes(out) == ref_frame_v1(body, 0)
        out = bytearray()
        encode_frame_v1(out, body, MORE | COMMAND)
        assert bytes(out) == ref_frame_v1(body, MORE)

    @settings(deadline=None)
    @given(messages_st)
    def test_matches_reference(self, msgs):
        out = bytearray()
        encode_messages(out, msgs)
        assert bytes(out) == b"".join(ref_message(m) for m in msgs)
        out = bytearray()
        encode_messages_v1(out, msgs)
        assert bytes(out) == b"".join(ref_message(m, v1=True) for m in msgs)



iov_parts = payloads | st.sampled_from([b"L" * 16384, b"M" * 16383, b"N" * 70000]) \
    | st.binary(min_size=1, max_size=40).map(bytearray)
iov_messages_st = st.lists(st.lists(iov_parts, min_size=1, max_size=4), min_size=1, max_size=6)


class TestEncodeIov:
    """encode_messages_iov: the same bytes as encode_messages, cut for sendmsg."""

    @settings(deadline=None)
    @given(iov_messages_st, st.binary(max_size=8), st.booleans(),
           st.sampled_from([1, 256, 16384]))
    def test_chunks_join_to_the_reference(self, msgs, prefix, v1, threshold):
        out = bytearray(prefix)
        chunks: list = []
        big = encode_messages_iov(out, msgs, chunks, threshold, v1)
        expected = prefix + b"".join(ref_message(m, v1=v1) for m in msgs)
        by_ref = [p for m in msgs for p in m if type(p) is bytes and len(p) >= threshold]
        assert big == len(by_ref)
        if big:
            assert b"".join(bytes(c) for c in chunks) == expected
            assert all(len(c) for c in chunks)
            # the large bodies are the caller's objects themselves, in order
            assert [c for c in chunks if type(c) is bytes] == by_ref
            assert all(any(c is p for p in by_ref) for c in chunks if type(c) is bytes)
        else:
            assert chunks == [] and bytes(out) == expected

    def test_default_threshold_and_mutable_buffers_are_copied(self):
        big = b"B" * _codec.BY_REFERENCE
        mutable = bytearray(b"m" * 100000)
        out, chunks = bytearray(), []
        assert encode_messages_iov(out, [[b"hdr", big], [mutable]], chunks) == 1
        assert chunks[1] is big
        # a bytearray can change after send(): its bytes were copied
        assert b"".join(bytes(c) for c in chunks) == ref_message([b"hdr", big]) \
            + ref_message([bytes(mutable)])
        out, chunks = bytearray(), []
        assert encode_messages_iov(out, [[big[:-1]]], chunks) == 0
        assert chunks == [] and bytes(out) == ref_message([big[:-1]])

    def test_bad_inputs_raise_and_leave_buffer_untouched(self):
        out, chunks = bytearray(b"keep"), []
        for bad in ([[]], [b"not a list"], [[b"x" * 20000, "text"]], [[b"ok", 5]]):
            with pytest.raises((TypeError, ValueError)):
                encode_messages_iov(out, bad, chunks, 16)
        assert bytes(out) == b"keep" and chunks == []


# --------------------------------------------------------------------------- decoding


class TestDecodeRoundTrip:
    @settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(messages_st, st.lists(st.integers(min_value=0, max_value=10**6), max_size=40))
    def test_messages_any_chunking(self, msgs, cuts):
        wire = b"".join(ref_message(m) for m in msgs)
        dec = Decoder()
        got = []
        for chunk in chunked(wire, cuts):
            got.extend(dec.decode_messages(chunk))
        assert got == msgs
        assert dec.at_boundary

    @settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
    @given(messages_st, st.lists(st.integers(min_value=0, max_value=10**6), max_size=40))
    def test_v1_any_chunking(self, msgs, cuts):
        wire = b"".join(ref_message(m, v1=True) for m in msgs)
        dec = Decoder(version=1)
        got = []
        for chunk in chunked(wire, cuts):
            got.extend(dec.decode_messages(chunk))
        assert got == msgs

    def test_one_byte_chunks_with_commands(self):
        wire = (
            ref_frame_v3(b"a", MORE)
            + ref_frame_v3(b"\x04PING\x00\x00", COMMAND)  # a command inside a multipart
            + ref_frame_v3(b"b" * 300, 0)
            + ref_frame_v3(b"c", 0)
        )
        dec = Decoder()
        items = []
        for i in range(len(wire)):
            items.extend(dec.decode_messages(memoryview(wire)[i : i + 1]))
        assert items == [b"\x04PING\x00\x00", [b"a", b"b" * 300], [b"c"]]

    def test_commands_counter(self):
        wire = ref_frame_v3(b"\x04PONG", COMMAND) + ref_frame_v3(b"m", 0)
        dec = Decoder()
        assert dec.decode_messages(wire) == [b"\x04PONG", [b"m"]]
        assert dec.commands == 1
        assert dec.decode_messages(ref_frame_v3(b"n", 0)) == [[b"n"]]
        assert dec.commands == 0

    def test_frames_mode_normalises_flags(self):
        wire = (
            bytes((0xF8 | MORE, 1))
            + b"a"  # reserved bits ignored (spec §5.4 [quirk])
            + bytes((LONG,))
            + (3).to_bytes(8, "big")
            + b"bcd"  # LONG allowed for tiny sizes
            + bytes((COMMAND | MORE, 1))
            + b"c"
        )
        assert Decoder().decode_frames(wire) == [(MORE, b"a"), (0, b"bcd"), (COMMAND | MORE, b"c")]

    def test_version2_ignores_command_bit(self):
        # ZMTP 2.0 has no commands: bit 2 is reserved and ignored.
        wire = bytes((COMMAND, 1)) + b"x"
        dec = Decoder(version=2)
        assert dec.decode_messages(wire) == [[b"x"]]
        assert dec.commands == 0

    def test_v1_ignores_reserved_flag_bits(self):
        wire = b"\x02\xfe" + b"a" + b"\x02\x01" + b"b" + b"\x02\x00c"
        assert Decoder(version=1).decode_messages(wire) == [[b"a"], [b"b", b"c"]]

    def test_out_and_limit(self):
        wire = b"".join(ref_frame_v3(bytes([i]), 0) for i in range(5))
        dec = Decoder()
        out = []
        assert dec.decode_frames(wire, out, 2) is out
        assert out == [(0, b"\x00"), (0, b"\x01")]
        assert dec.buffered == 9 and not dec.at_boundary
        assert dec.decode_frames(b"", None, 1) == [(0, b"\x02")]
        assert dec.decode_messages(ref_frame_v3(b"z", 0)) == [[b"\x03"], [b"\x04"], [b"z"]]
        assert dec.at_boundary

    def test_input_not_retained(self):
        buf = bytearray(ref_frame_v3(b"abcdef", 0))
        dec = Decoder()
        assert dec.decode_messages(memoryview(buf)[:5]) == []
        buf[:] = b"\xee" * len(buf)  # the caller reuses its recv buffer
        assert dec.decode_messages(ref_frame_v3(b"abcdef", 0)[5:]) == [[b"abcdef"]]

    def test_take_partial(self):
        dec = Decoder()
        dec.decode_messages(ref_frame_v3(b"a", MORE) + ref_frame_v3(b"b", MORE))
        assert not dec.at_boundary
        assert dec.take_partial() == [b"a", b"b"]
        assert dec.at_boundary

    def test_large_frame_linear_assembly(self):
        body = bytes(range(256)) * (16 * 1024 * 4)  # 16 MiB
        wire = ref_frame_v3(body, 0)
        dec = Decoder()
        mv = memoryview(wire)
        t = time.perf_counter()
        got = []
        for i in range(0, len(wire), 4096):
            got.extend(dec.decode_messages(mv[i : i + 4096]))
        elapsed = time.perf_counter() - t
        assert got == [[body]]
        # 4096 chunks: a quadratic assembly would copy ~32 GiB; linear is ~16 MiB.
        assert elapsed < 5.0


class TestDirectPayload:
    """payload_room / payload_received: a frame body read into its own memory."""

    def test_body_completed_through_the_room(self):
        body = bytes(range(256)) * 1000
        wire = ref_message([b"head", body, b"tail"])
        cut = wire.index(body) + 1000
        dec = Decoder()
        assert dec.decode_messages(wire[:cut]) == []
        assert dec.missing == len(body) - 1000
        assert dec.payload_room(len(body)) is None  # fewer bytes missing than asked
        room = dec.payload_room(1000)
        assert room is not None and not room.readonly
        assert len(room) == len(body) - 1000  # preallocated: under PREALLOC_LIMIT
        rest = wire[cut:cut + len(room)]
        room[:] = rest
        room.release()
        assert dec.payload_received(len(rest)) == []  # body done, message not yet
        assert dec.payload_room() is None and dec.missing == 0  # no body pending
        assert dec.decode_messages(wire[cut + len(rest):]) == [[b"head", body, b"tail"]]
        assert dec.at_boundary

    def test_partial_fills_and_a_command_body(self):
        body = b"\x04PING" + b"\0\0" + b"c" * 70_000
        dec = Decoder()
        wire = ref_frame_v3(body, COMMAND)
        assert dec.decode_messages(wire[:20]) == []
        got = 20 - 9
        while got < len(body):
            room = dec.payload_room()
            assert room is not None
            n = min(len(room), 5000)
            room[:n] = body[got:got + n]
            room.release()
            out = dec.payload_received(n)
            got += n
        assert out == [body] and dec.commands == 1

    def test_forged_size_grows_only_with_received_data(self):
        dec = Decoder()
        size = 1 << 40
        dec.decode_messages(b"\x02" + size.to_bytes(8, "big") + b"x" * 1000)
        filled = 1000
        for _ in range(5):
            room = dec.payload_room()
            assert room is not None
            # capacity: PREALLOC_LIMIT at first, then at most twice what arrived
            assert filled + len(room) <= max(_codec.PREALLOC_LIMIT, 2 * filled)
            n = len(room)
            room[:] = b"y" * n
            room.release()
            dec.payload_received(n)
            filled += n
        assert dec.buffered == filled

    def test_misuse_is_refused(self):
        dec = Decoder()
        assert dec.payload_room() is None
        with pytest.raises(ValueError):
            dec.payload_received(1)
        dec.decode_messages(b"\x02" + (100_000).to_bytes(8, "big") + b"x" * 10)
        room = dec.payload_room()
        assert room is not None
        with pytest.raises(ValueError):
            dec.payload_received(len(room) + 1)
        room.release()
        # undecoded input held (a decode stopped by its limit): that input goes first
        dec2 = Decoder()
        dec2.decode_messages(b"\x02" + (100_000).to_bytes(8, "big") + b"x" * 10)
        room = dec2.payload_room()
        assert room is not None
        room.release()
        dec2.decode_messages(b"more body", limit=0)
        assert dec2.payload_room() is None
        # a failed decoder offers nothing
        dec3 = Decoder(max_msg_size=10)
        with pytest.raises(RemoteProtocolError):
            dec3.decode_messages(b"\x02" + (100_000).to_bytes(8, "big"))
        assert dec3.payload_room() is None


class TestRecycledBodies:
    """Bodies from RECYCLE_MIN to PREALLOC_LIMIT bytes are refilled once nobody else
    holds them: never while any reference or buffer view to them is alive."""

    SIZE = _codec.RECYCLE_MIN + 123

    @pytest.fixture(autouse=True)
    def _empty_table(self):
        _codec.recycled_clear()  # whatever earlier tests left in the process-wide table
        yield
        _codec.recycled_clear()

    def test_dropped_body_is_refilled_with_a_correct_hash(self):
        dec = Decoder()
        first = dec.decode_messages(ref_frame_v3(b"a" * self.SIZE, 0))[0][0]
        ident = id(first)
        assert hash(first) == hash(b"a" * self.SIZE)  # caches the hash in the object
        del first
        again = dec.decode_messages(ref_frame_v3(b"b" * self.SIZE, 0))[0][0]
        assert id(again) == ident  # the same memory, filled again
        assert again == b"b" * self.SIZE
        assert hash(again) == hash(b"b" * self.SIZE)  # not the cached hash of b"a..."
        assert {again: 1}[b"b" * self.SIZE] == 1

    @pytest.mark.parametrize("hold", ["reference", "memoryview"])
    def test_a_held_body_is_never_touched(self, hold):
        dec = Decoder()
        body = dec.decode_messages(ref_frame_v3(b"a" * self.SIZE, 0))[0][0]
        held = body if hold == "reference" else memoryview(body)
        if hold == "memoryview":
            del body
        for c in b"bcd":
            assert dec.decode_messages(ref_frame_v3(bytes((c,)) * self.SIZE, 0)) == [
                [bytes((c,)) * self.SIZE]]
        assert bytes(held) == b"a" * self.SIZE

    def test_body_spanning_reads_is_refilled_through_the_room(self):
        dec = Decoder()
        ids = set()
        for c in b"abcabc":
            body = bytes((c,)) * self.SIZE
            wire = ref_frame_v3(body, 0)
            assert dec.decode_messages(wire[:100]) == []
            room = dec.payload_room()
            assert room is not None
            room[:] = wire[100:]
            room.release()
            got = dec.payload_received(len(wire) - 100)
            assert got == [[body]]
            ids.add(id(got[0][0]))
            del got
        assert len(ids) == 1

    def test_in_order_consumption_behind_a_queue_reuses_the_oldest(self):
        dec = Decoder()
        queue = [dec.decode_messages(ref_frame_v3(b"q" * self.SIZE, 0))[0][0]
                 for _ in range(10)]
        ids = {id(b) for b in queue}
        for i in range(30):  # consume the oldest, receive one more: a queue of 10
            queue.pop(0)
            fill = bytes((i,)) * self.SIZE
            queue.append(dec.decode_messages(ref_frame_v3(fill, 0))[0][0])
            assert id(queue[-1]) in ids and queue[-1] == fill
        assert [b[:1] for b in queue] == [bytes((i,)) for i in range(20, 30)]

    def test_other_sizes_and_small_bodies_are_not_recycled(self):
        dec = Decoder()
        small = dec.decode_messages(ref_frame_v3(b"s" * (_codec.RECYCLE_MIN - 1), 0))
        assert _codec.recycled_bodies() == []
        big = _codec.RECYCLE_MAX + 1
        wire = ref_frame_v3(b"g" * big, 0)
        assert dec.decode_messages(wire[:5000]) == []
        assert dec.decode_messages(wire[5000:]) == [[b"g" * big]]
        assert _codec.recycled_bodies() == []
        one = dec.decode_messages(ref_frame_v3(b"1" * self.SIZE, 0))[0][0]
        del one
        other = dec.decode_messages(ref_frame_v3(b"2" * (self.SIZE + 1), 0))[0][0]
        assert [len(b) for b in _codec.recycled_bodies()] == [self.SIZE, self.SIZE + 1]
        del small, other

    def test_a_body_that_grew_is_remembered_once_complete(self):
        size = _codec.PREALLOC_LIMIT + 12345  # grows with the data as it arrives
        dec = Decoder()
        ids = []
        for c in b"ab":
            wire = ref_frame_v3(bytes((c,)) * size, 0)
            assert dec.decode_messages(wire[:5000]) == []
            room = dec.payload_room()
            assert room is not None
            if c == ord("a"):
                assert _codec.recycled_bodies() == []  # not while it grows
                assert len(room) < size - (5000 - 9)
            else:
                assert len(room) == size - (5000 - 9)  # refilled: whole at once
            room.release()
            got = dec.decode_messages(wire[5000:])
            assert got == [[bytes((c,)) * size]]
            ids.append(id(got[0][0]))
            assert _codec.recycled_bodies()[-1] is got[0][0]
            del got
        assert ids[0] == ids[1]

    def test_the_table_keeps_at_most_its_slots_and_bytes(self):
        dec = Decoder()
        held = [dec.decode_messages(ref_frame_v3(b"x" * _codec.RECYCLE_MIN, 0))
                for _ in range(_codec.RECYCLE_SLOTS + 5)]
        bodies = _codec.recycled_bodies()
        assert len(bodies) <= _codec.RECYCLE_SLOTS
        assert sum(len(b) for b in bodies) <= _codec.RECYCLE_BYTES
        big = _codec.PREALLOC_LIMIT
        held = [dec.decode_messages(ref_frame_v3(b"y" * big, 0)) for _ in range(12)]
        bodies = _codec.recycled_bodies()
        assert sum(len(b) for b in bodies) <= _codec.RECYCLE_BYTES
        assert len(bodies) == _codec.RECYCLE_BYTES // big  # the newest ones, all held
        assert bodies[-1] is held[-1][0][0]
        del held, bodies
        # all dropped now: a frame of that size refills the oldest remembered one
        oldest = id(_codec.recycled_bodies()[0])
        again = dec.decode_messages(ref_frame_v3(b"z" * big, 0))[0][0]
        assert id(again) == oldest and again == b"z" * big
        assert _codec.recycled_bodies()[-1] is again  # now the newest
        _codec.recycled_clear()
        assert _codec.recycled_bodies() == [] and again == b"z" * big


class TestDecodeErrors:
    def test_max_size_checked_before_payload(self):
        # spec §8.12: the header alone is enough to reject the frame.
        dec = Decoder(max_msg_size=1000)
        with pytest.raises(RemoteProtocolError, match="exceeds the maximum message size"):
            dec.decode_messages(bytes((LONG,)) + (1 << 40).to_bytes(8, "big"))
        assert isinstance(dec.failed, RemoteProtocolError)
        # the decoder stays failed
        with pytest.raises(RemoteProtocolError):
            dec.decode_messages(ref_frame_v3(b"x", 0))

    def test_max_size_boundary(self):
        dec = Decoder(max_msg_size=3)
        assert dec.decode_messages(ref_frame_v3(b"abc", 0)) == [[b"abc"]]
        with pytest.raises(RemoteProtocolError):
            dec.decode_messages(ref_frame_v3(b"abcd", 0))

    def test_max_size_zero_allows_empty_frames(self):
        dec = Decoder(max_msg_size=0)
        assert dec.decode_messages(b"\x00\x00") == [[b""]]
        with pytest.raises(RemoteProtocolError):
            dec.decode_messages(b"\x00\x01x")

    def test_max_size_adjustable(self):
        dec = Decoder()
        assert dec.max_msg_size == -1
        dec.max_msg_size = 2
        assert dec.max_msg_size == 2
        with pytest.raises(RemoteProtocolError):
            dec.decode_messages(ref_frame_v3(b"abc", 0))

    def test_v1_max_size(self):
        dec = Decoder(max_msg_size=2, version=1)
        assert dec.decode_messages(ref_frame_v1(b"ab", 0)) == [[b"ab"]]
        with pytest.raises(RemoteProtocolError):
            dec.decode_messages(ref_frame_v1(b"abc", 0))

    def test_top_bit_size_rejected(self):
        dec = Decoder()
        with pytest.raises(RemoteProtocolError, match="out of range"):
            dec.decode_messages(bytes((LONG,)) + (1 << 63).to_bytes(8, "big"))
        dec = Decoder(version=1)
        with pytest.raises(RemoteProtocolError, match="out of range"):
            dec.decode_messages(b"\xff" + (0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "big") + b"\x00")

    def test_absurd_unlimited_size_does_not_allocate(self):
        dec = Decoder()  # unlimited
        dec.decode_messages(bytes((LONG,)) + (1 << 62).to_bytes(8, "big") + b"abc")
        assert dec.buffered == 3  # nothing but what was received is held
        dec.decode_messages(b"d" * 10)
        assert dec.buffered == 13

    def test_v1_zero_length(self):
        # RFC 13: a length of 0 is invalid (the flags byte is always counted).
        with pytest.raises(RemoteProtocolError, match="length 0"):
            Decoder(version=1).decode_messages(b"\x00")
        with pytest.raises(RemoteProtocolError, match="length 0"):
            Decoder(version=1).decode_messages(b"\xff" + bytes(8) + b"\x00")

    def test_items_before_error_are_kept_in_out(self):
        wire = ref_frame_v3(b"ok", 0) + bytes((LONG,)) + (1 << 63).to_bytes(8, "big")
        out = []
        with pytest.raises(RemoteProtocolError):
            Decoder().decode_messages(wire, out)
        assert out == [[b"ok"]]

    def test_bad_constructor_args(self):
        with pytest.raises(ValueError):
            Decoder(version=4)
        with pytest.raises(TypeError):
            Decoder().decode_messages("text")

    @settings(deadline=None, max_examples=300)
    @given(
        st.binary(max_size=200),
        st.integers(min_value=1, max_value=3),
        st.integers(min_value=-1, max_value=300),
    )
    def test_garbage_only_raises_protocol_errors(self, data, version, limit):
        dec = Decoder(max_msg_size=limit, version=version)
        try:
            for i in range(0, len(data), 7):
                dec.decode_messages(data[i : i + 7])
                dec.decode_frames(b"")
        except RemoteProtocolError:
            pass
        assert dec.buffered <= len(data)


# --------------------------------------------------------------------------- scanner


class TestFrameScanner:
    @settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
    @given(
        messages_st,
        st.lists(st.integers(min_value=0, max_value=10**6), max_size=30),
        st.sampled_from([1, 3]),
    )
    def test_counts_like_decoder(self, msgs, cuts, version):
        wire = b"".join(ref_message(m, v1=version == 1) for m in msgs)
        sc = FrameScanner(version)
        total = 0
        for chunk in chunked(wire, cuts):
            used, n = sc.scan(chunk)
            assert used == len(chunk)
            total += n
        assert total == len(msgs)

    def test_stops_after_max_messages(self):
        wire = ref_message([b"a", b"b"]) + ref_message([b"c"]) + ref_message([b"d"])
        sc = FrameScanner()
        used, n = sc.scan(wire, 1)
        assert n == 1 and used == len(ref_message([b"a", b"b"]))
        used2, n2 = sc.scan(wire[used:])
        assert n2 == 2 and used2 == len(wire) - used

    def test_commands_not_counted(self):
        wire = ref_frame_v3(b"\x04PING\x00\x00", COMMAND) + ref_frame_v3(b"x", 0)
        assert FrameScanner().scan(wire) == (len(wire), 1)

    def test_errors(self):
        with pytest.raises(RemoteProtocolError):
            FrameScanner(max_msg_size=1).scan(ref_frame_v3(b"ab", 0))
        with pytest.raises(RemoteProtocolError):
            FrameScanner(1).scan(b"\x00")
        with pytest.raises(RemoteProtocolError):
            FrameScanner().scan(bytes((LONG,)) + (1 << 63).to_bytes(8, "big"))


def test_module_constants():
    assert (MORE, LONG, COMMAND) == (1, 2, 4)
    assert _codec.PREALLOC_LIMIT >= 1 << 16
    assert _codec.RECYCLE_MIN <= _codec.PREALLOC_LIMIT <= _codec.RECYCLE_BYTES
    assert _codec.RECYCLE_SLOTS > 0
