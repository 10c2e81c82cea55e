"""Z85 (RFC 32): test vectors, round trips, bad input — through zmq4.z85 and zmq4.capi."""

from __future__ import annotations

import errno
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zmq4 import capi, z85
from zmq4.errors import ZMQError

# RFC 32's example: 8 bytes <-> "HelloWorld"
HELLO = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
# the CURVE test keys of zmq_curve(7) (raw key bytes are their Z85 decoding)
CLIENT_PUBLIC = b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET = b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"


def test_rfc32_vector_encode() -> None:
    assert z85.encode(HELLO) == b"HelloWorld"


def test_rfc32_vector_decode() -> None:
    assert z85.decode("HelloWorld") == HELLO
    assert z85.decode(b"HelloWorld") == HELLO


def test_empty() -> None:
    assert z85.encode(b"") == b""
    assert z85.decode(b"") == b""


def test_extremes() -> None:
    assert z85.encode(b"\0\0\0\0") == b"00000"
    assert z85.encode(b"\xff\xff\xff\xff") == b"%nSc0"
    assert z85.decode(b"%nSc0") == b"\xff\xff\xff\xff"


@given(st.binary(max_size=256).map(lambda b: b[: len(b) - len(b) % 4]))
def test_round_trip(data: bytes) -> None:
    text = z85.encode(data)
    assert len(text) == len(data) * 5 // 4
    assert z85.decode(text) == data


def test_matches_pyzmq() -> None:
    import zmq.utils.z85 as zmq_z85
    data = os.urandom(4096)
    assert z85.encode(data) == zmq_z85.encode(data)
    assert z85.decode(zmq_z85.encode(data)) == data


def test_curve_test_keys_decode_to_32_bytes() -> None:
    assert len(z85.decode(CLIENT_PUBLIC)) == 32
    assert z85.encode(z85.decode(CLIENT_SECRET)) == CLIENT_SECRET


@pytest.mark.parametrize("n", [1, 2, 3, 5, 31, 33])
def test_encode_bad_length(n: int) -> None:
    with pytest.raises(ZMQError) as e:
        z85.encode(b"x" * n)
    assert e.value.errno == errno.EINVAL
    assert "multiple of 4" in str(e.value)


@pytest.mark.parametrize("n", [1, 4, 6, 39, 41])
def test_decode_bad_length(n: int) -> None:
    with pytest.raises(ZMQError) as e:
        z85.decode(b"0" * n)
    assert e.value.errno == errno.EINVAL
    assert "multiple of 5" in str(e.value)


@pytest.mark.parametrize("text", [b"Hello Worl", b"Hello\"orld", b"~~~~~", b"abcd\x00"])
def test_decode_bad_character(text: bytes) -> None:
    with pytest.raises(ZMQError) as e:
        z85.decode(text)
    assert e.value.errno == errno.EINVAL
    assert "alphabet" in str(e.value)


def test_decode_overflowing_group() -> None:
    with pytest.raises(ZMQError) as e:
        z85.decode(b"#####")  # 84*(85^4+...+1) > 2^32-1
    assert "exceeds 32 bits" in str(e.value)


def test_non_ascii_and_wrong_types() -> None:
    with pytest.raises(ZMQError):
        z85.decode("Héllo")
    with pytest.raises(ZMQError):
        z85.encode("abcd")  # type: ignore[arg-type]
    with pytest.raises(ZMQError):
        z85.encode(1234)  # type: ignore[arg-type]
    with pytest.raises(ZMQError):
        z85.decode(None)  # type: ignore[arg-type]


def test_memoryview_and_bytearray_inputs() -> None:
    assert z85.encode(bytearray(HELLO)) == b"HelloWorld"
    assert z85.encode(memoryview(HELLO)) == b"HelloWorld"
    assert z85.decode(bytearray(b"HelloWorld")) == HELLO


# -- the C-style face: None + EINVAL --------------------------------------------------------

def test_capi_encode_decode() -> None:
    assert capi.zmq_z85_encode(HELLO, 8) == "HelloWorld"
    assert capi.zmq_z85_decode("HelloWorld") == HELLO
    # C strings: a NUL terminates the input
    assert capi.zmq_z85_decode(b"HelloWorld\0junk") == HELLO
    # size shorter than the buffer encodes a prefix, as C does
    assert capi.zmq_z85_encode(HELLO + b"\0\0\0\0", 8) == "HelloWorld"


def test_capi_bad_input_sets_einval() -> None:
    assert capi.zmq_z85_encode(b"abc", 3) is None
    assert capi.zmq_errno() == capi.EINVAL
    assert capi.zmq_z85_decode("abcd") is None
    assert capi.zmq_errno() == capi.EINVAL
    assert capi.zmq_z85_decode("Hello Worl") is None
    assert capi.zmq_errno() == capi.EINVAL
    assert capi.zmq_z85_encode(b"abcd", 8) is None  # size larger than the buffer
    assert capi.zmq_errno() == capi.EINVAL
