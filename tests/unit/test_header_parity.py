"""Parity of ``include/zmq.h`` + ``include/zmq_utils.h`` with zmq4's Python faces.

The C headers, ``zmq4.zmq_h`` (the single source of the numbers) and ``zmq4.capi``
(the C-style Python face) must agree on every name and number of libzmq 4.0.10
(spec/ZMQ40.md §1, §2). The headers are read with a small parser written here
(``#define`` lines with a tiny constant-expression evaluator, and ``ZMQ_EXPORT``
prototypes), and are also fed to the real C and C++ compilers, which check that the
preprocessor sees the same numbers as the parser and that every function has the
libzmq 4.0 signature.

A C compiler is a requirement of this project (the C-ABI shim is built with it), so
the compile tests fail, rather than skip, when ``cc`` / ``c++`` are missing.
"""

from __future__ import annotations

import ast
import dataclasses
import errno
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

import zmq4
from zmq4 import zmq_h as constants

# The headers zmq4 installs: the source tree's include/ in a developer install, the
# package's own copy in an installed wheel (wheels/build.sh runs these tests there).
INCLUDE = Path(zmq4.get_include())
ZMQ_H = INCLUDE / "zmq.h"
ZMQ_UTILS_H = INCLUDE / "zmq_utils.h"
HEADERS = (ZMQ_H, ZMQ_UTILS_H)

#: ``ZMQ_*`` macros that are not constants of the API (visibility, version helper,
#: shared include guard of the <stdint.h> stand-ins for old MSVC).
NON_CONSTANT_MACROS = frozenset({"ZMQ_EXPORT", "ZMQ_MAKE_VERSION", "ZMQ_DEFINED_STDINT"})

#: Include guards of the two headers (libzmq's spelling).
INCLUDE_GUARDS = frozenset({"__ZMQ_H_INCLUDED__", "__ZMQ_UTILS_H_INCLUDED__"})

#: spec §2.10: POSIX codes zmq.h defines as ZMQ_HAUSNUMERO + n, only when the
#: platform's <errno.h> lacks them.
ERRNO_FALLBACKS = {
    "ENOTSUP": 1,
    "EPROTONOSUPPORT": 2,
    "ENOBUFS": 3,
    "ENETDOWN": 4,
    "EADDRINUSE": 5,
    "EADDRNOTAVAIL": 6,
    "ECONNREFUSED": 7,
    "EINPROGRESS": 8,
    "ENOTSOCK": 9,
    "EMSGSIZE": 10,
    "EAFNOSUPPORT": 11,
    "ENETUNREACH": 12,
    "ECONNABORTED": 13,
    "ECONNRESET": 14,
    "ENOTCONN": 15,
    "ETIMEDOUT": 16,
    "EHOSTUNREACH": 17,
    "ENETRESET": 18,
}

#: spec §2.10: 0MQ's own codes, defined unconditionally.
ERRNO_NATIVE = {"EFSM": 51, "ENOCOMPATPROTO": 52, "ETERM": 53, "EMTHREAD": 54}

#: Names in ``constants.ALL`` that zmq.h does not define: plain OS errno values the
#: API returns (spec §2.10 "Other errno values"), which come from <errno.h>.
OS_ONLY_ERRNO = frozenset({
    "EINVAL", "EFAULT", "EAGAIN", "EINTR", "ENOMEM", "EMFILE", "ENODEV", "ENOENT",
    "ENAMETOOLONG", "EACCES", "EPROTO",
})

#: Every public function of libzmq 4.0.10 (zmq.h + zmq_utils.h) with its C type
#: (return type, parameter types); spec §1.
SIGNATURES: dict[str, tuple[str, str]] = {
    # zmq.h: errors, version
    "zmq_errno": ("int", "void"),
    "zmq_strerror": ("const char *", "int"),
    "zmq_version": ("void", "int *, int *, int *"),
    # zmq.h: contexts
    "zmq_ctx_new": ("void *", "void"),
    "zmq_ctx_term": ("int", "void *"),
    "zmq_ctx_shutdown": ("int", "void *"),
    "zmq_ctx_set": ("int", "void *, int, int"),
    "zmq_ctx_get": ("int", "void *, int"),
    "zmq_init": ("void *", "int"),
    "zmq_term": ("int", "void *"),
    "zmq_ctx_destroy": ("int", "void *"),
    # zmq.h: messages
    "zmq_msg_init": ("int", "zmq_msg_t *"),
    "zmq_msg_init_size": ("int", "zmq_msg_t *, size_t"),
    "zmq_msg_init_data": ("int", "zmq_msg_t *, void *, size_t, zmq_free_fn *, void *"),
    "zmq_msg_send": ("int", "zmq_msg_t *, void *, int"),
    "zmq_msg_recv": ("int", "zmq_msg_t *, void *, int"),
    "zmq_msg_close": ("int", "zmq_msg_t *"),
    "zmq_msg_move": ("int", "zmq_msg_t *, zmq_msg_t *"),
    "zmq_msg_copy": ("int", "zmq_msg_t *, zmq_msg_t *"),
    "zmq_msg_data": ("void *", "zmq_msg_t *"),
    "zmq_msg_size": ("size_t", "zmq_msg_t *"),
    "zmq_msg_more": ("int", "zmq_msg_t *"),
    "zmq_msg_get": ("int", "zmq_msg_t *, int"),
    "zmq_msg_set": ("int", "zmq_msg_t *, int, int"),
    # zmq.h: sockets
    "zmq_socket": ("void *", "void *, int"),
    "zmq_close": ("int", "void *"),
    "zmq_setsockopt": ("int", "void *, int, const void *, size_t"),
    "zmq_getsockopt": ("int", "void *, int, void *, size_t *"),
    "zmq_bind": ("int", "void *, const char *"),
    "zmq_connect": ("int", "void *, const char *"),
    "zmq_unbind": ("int", "void *, const char *"),
    "zmq_disconnect": ("int", "void *, const char *"),
    "zmq_send": ("int", "void *, const void *, size_t, int"),
    "zmq_send_const": ("int", "void *, const void *, size_t, int"),
    "zmq_recv": ("int", "void *, void *, size_t, int"),
    "zmq_socket_monitor": ("int", "void *, const char *, int"),
    "zmq_sendmsg": ("int", "void *, zmq_msg_t *, int"),
    "zmq_recvmsg": ("int", "void *, zmq_msg_t *, int"),
    "zmq_sendiov": ("int", "void *, struct iovec *, size_t, int"),
    "zmq_recviov": ("int", "void *, struct iovec *, size_t *, int"),
    # zmq.h: polling, proxy, devices
    "zmq_poll": ("int", "zmq_pollitem_t *, int, long"),
    "zmq_proxy": ("int", "void *, void *, void *"),
    "zmq_proxy_steerable": ("int", "void *, void *, void *, void *"),
    "zmq_device": ("int", "int, void *, void *"),
    # zmq.h and zmq_utils.h: Z85
    "zmq_z85_encode": ("char *", "char *, uint8_t *, size_t"),
    "zmq_z85_decode": ("uint8_t *", "uint8_t *, char *"),
    # zmq_utils.h
    "zmq_curve_keypair": ("int", "char *, char *"),
    "zmq_stopwatch_start": ("void *", "void"),
    "zmq_stopwatch_stop": ("unsigned long", "void *"),
    "zmq_sleep": ("void", "int"),
    "zmq_threadstart": ("void *", "zmq_thread_fn *, void *"),
    "zmq_threadclose": ("void", "void *"),
}

#: Functions zmq_utils.h declares (the rest, and the Z85 pair too, live in zmq.h).
UTILS_FUNCTIONS = frozenset({
    "zmq_z85_encode", "zmq_z85_decode", "zmq_curve_keypair", "zmq_stopwatch_start",
    "zmq_stopwatch_stop", "zmq_sleep", "zmq_threadstart", "zmq_threadclose",
})

PUBLIC_FUNCTION_COUNT = 52


# ---------------------------------------------------------------------------
# A small header parser
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...] | None  # None: object-like macro
    body: str
    conditions: tuple[str, ...]  # enclosing #if/#ifdef/#ifndef lines, outermost first
    header: str


@dataclasses.dataclass(frozen=True)
class Prototype:
    name: str
    text: str  # whitespace-normalised declaration, without the trailing ';'
    header: str


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_DIRECTIVE = re.compile(r"^\s*#\s*(\w+)\s*(.*?)\s*$")
_DEFINE = re.compile(r"^(\w+)(\(([^)]*)\))?\s*(.*)$", re.S)
_PROTOTYPE = re.compile(
    r"\bZMQ_EXPORT\s+(?P<ret>[^;(){}]*?)\s*\b(?P<name>zmq_\w+)\s*\((?P<args>[^;{}]*)\)\s*;"
)


def _clean(text: str) -> list[str]:
    """Comments removed, backslash-continued lines joined; returns logical lines."""
    text = _COMMENT.sub(" ", text)
    text = re.sub(r"\\\n", " ", text)
    return text.splitlines()


def parse_macros(path: Path) -> list[Macro]:
    macros: list[Macro] = []
    stack: list[str] = []
    for line in _clean(path.read_text()):
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        directive, rest = m.group(1), m.group(2)
        if directive in ("if", "ifdef", "ifndef"):
            stack.append(f"{directive} {rest}")
        elif directive in ("elif", "else"):
            assert stack, f"{path.name}: #{directive} without #if"
            stack[-1] = f"{directive} {rest}".strip()
        elif directive == "endif":
            assert stack, f"{path.name}: #endif without #if"
            stack.pop()
        elif directive == "define":
            d = _DEFINE.match(rest)
            assert d, f"{path.name}: cannot parse #define {rest!r}"
            params = None
            if d.group(2) is not None:
                params = tuple(p.strip() for p in d.group(3).split(",") if p.strip())
            macros.append(Macro(d.group(1), params, d.group(4).strip(), tuple(stack), path.name))
    assert not stack, f"{path.name}: unterminated #if block(s): {stack}"
    return macros


def parse_prototypes(path: Path) -> list[Prototype]:
    code = "\n".join(
        line for line in _clean(path.read_text()) if not _DIRECTIVE.match(line)
    )
    protos = []
    for m in _PROTOTYPE.finditer(code):
        text = " ".join(m.group(0)[:-1].split())
        text = re.sub(r"\s*\*\s*", " *", text).replace("( ", "(").replace(" )", ")")
        protos.append(Prototype(m.group("name"), text, path.name))
    return protos


def bare_function_mentions(path: Path) -> set[str]:
    """Every ``zmq_xxx (`` in the headers' code: must all be exported prototypes."""
    code = "\n".join(
        line for line in _clean(path.read_text()) if not _DIRECTIVE.match(line)
    )
    return set(re.findall(r"\b(zmq_\w+)\s*\(", code))


_TOKEN = re.compile(
    r"\s*(?:(?P<num>0[xX][0-9a-fA-F]+|\d+)[uUlL]*|(?P<ident>[A-Za-z_]\w*)"
    r"|(?P<op><<|>>|[-+*|&~^(),]))"
)


def _tokenize(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"not a constant expression: {text!r}")
        tokens.append(str(int(m.group("num"), 0)) if m.group("num") else m.group(0).strip())
        pos = m.end()
    return tokens


class Evaluator:
    """Expands object- and function-like macros and evaluates integer expressions."""

    _BINOPS = {
        ast.Add: lambda a, b: a + b,
        ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b,
        ast.BitOr: lambda a, b: a | b,
        ast.BitAnd: lambda a, b: a & b,
        ast.BitXor: lambda a, b: a ^ b,
        ast.LShift: lambda a, b: a << b,
        ast.RShift: lambda a, b: a >> b,
    }
    _UNOPS = {ast.USub: lambda a: -a, ast.UAdd: lambda a: a, ast.Invert: lambda a: ~a}

    def __init__(self, macros: dict[str, Macro]) -> None:
        self.macros = macros

    def value(self, name: str) -> int:
        macro = self.macros[name]
        assert macro.params is None, f"{name} is a function-like macro"
        return self._eval(" ".join(self._expand(_tokenize(macro.body), frozenset({name}))))

    def _expand(self, tokens: list[str], active: frozenset[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            macro = self.macros.get(tok)
            if macro is None or tok in active:
                if re.match(r"[A-Za-z_]", tok):
                    raise ValueError(f"undefined identifier {tok!r} in a constant expression")
                out.append(tok)
                i += 1
                continue
            if macro.params is None:
                out += self._expand(_tokenize(macro.body), active | {tok})
                i += 1
                continue
            # Function-like: collect the parenthesised, comma-separated arguments.
            assert i + 1 < len(tokens) and tokens[i + 1] == "(", f"{tok} used without ()"
            args: list[list[str]] = [[]]
            depth, j = 0, i + 1
            while True:
                t = tokens[j]
                if t == "(":
                    depth += 1
                    if depth > 1:
                        args[-1].append(t)
                elif t == ")":
                    depth -= 1
                    if depth == 0:
                        break
                    args[-1].append(t)
                elif t == "," and depth == 1:
                    args.append([])
                else:
                    args[-1].append(t)
                j += 1
            assert len(args) == len(macro.params), f"{tok}: wrong argument count"
            bindings = {
                p: self._expand(a, active) for p, a in zip(macro.params, args, strict=True)
            }
            body: list[str] = []
            for t in _tokenize(macro.body):
                body += ["("] + bindings[t] + [")"] if t in bindings else [t]
            out += self._expand(body, active | {tok})
            i = j + 1
        return out

    def _eval(self, expr: str) -> int:
        def walk(node: ast.AST) -> int:
            if isinstance(node, ast.Expression):
                return walk(node.body)
            if isinstance(node, ast.Constant) and type(node.value) is int:
                return node.value
            if isinstance(node, ast.BinOp) and type(node.op) in self._BINOPS:
                return self._BINOPS[type(node.op)](walk(node.left), walk(node.right))
            if isinstance(node, ast.UnaryOp) and type(node.op) in self._UNOPS:
                return self._UNOPS[type(node.op)](walk(node.operand))
            raise ValueError(f"unsupported construct in {expr!r}: {ast.dump(node)}")

        return walk(ast.parse(expr, mode="eval"))


@dataclasses.dataclass
class Headers:
    macros: dict[str, Macro]
    duplicates: dict[str, list[Macro]]
    prototypes: list[Prototype]
    constants: dict[str, int]  # every ZMQ_* constant macro -> value
    errno_macros: dict[str, int]  # ENOTSUP..., EFSM... -> value as written in the header


@pytest.fixture(scope="module")
def headers() -> Headers:
    all_macros: dict[str, list[Macro]] = {}
    prototypes: list[Prototype] = []
    for path in HEADERS:
        assert path.is_file(), f"missing {path}"
        for macro in parse_macros(path):
            all_macros.setdefault(macro.name, []).append(macro)
        prototypes += parse_prototypes(path)
    macros = {name: defs[0] for name, defs in all_macros.items()}
    duplicates = {name: defs for name, defs in all_macros.items() if len(defs) > 1}
    ev = Evaluator(macros)
    values = {
        name: ev.value(name)
        for name in macros
        if name.startswith("ZMQ_") and name not in NON_CONSTANT_MACROS
    }
    errno_macros = {
        name: ev.value(name) for name in macros if name in ERRNO_FALLBACKS or name in ERRNO_NATIVE
    }
    return Headers(macros, duplicates, prototypes, values, errno_macros)


def _bare(name: str) -> str:
    return name[len("ZMQ_"):]


# ---------------------------------------------------------------------------
# Macros
# ---------------------------------------------------------------------------


def test_parser_sees_a_plausible_header(headers: Headers) -> None:
    # Guards against a parser that silently finds nothing.
    assert headers.constants["ZMQ_SNDHWM"] == 23
    assert headers.constants["ZMQ_EVENT_ALL"] == 2047
    assert headers.constants["ZMQ_VERSION"] == 40010
    # spec §2: 5 version/HAUSNUMERO + 4 context + 14 socket types + 50 socket options
    # (incl. deprecated) + MORE + 3 flags + 3 mechanisms + 12 events + 4 poll + 3 devices,
    # plus three zmq4 extensions with later libzmq numbers: ZMQ_ROUTER_HANDOVER (4.1,
    # 56), ZMQ_HANDSHAKE_IVL (4.1, 66) and ZMQ_STREAM_NOTIFY (4.2, 73).
    assert len(headers.constants) == 102
    assert headers.constants["ZMQ_ROUTER_HANDOVER"] == 56
    assert headers.constants["ZMQ_HANDSHAKE_IVL"] == 66
    assert headers.constants["ZMQ_STREAM_NOTIFY"] == 73


def test_every_macro_is_known(headers: Headers) -> None:
    """Besides ZMQ_* constants: only errno codes, include guards and the exclusions."""
    unexpected = {
        name
        for name in headers.macros
        if not name.startswith("ZMQ_")
        and name not in ERRNO_FALLBACKS
        and name not in ERRNO_NATIVE
        and name not in INCLUDE_GUARDS
    }
    assert not unexpected


def test_constant_macros_are_defined_once_and_unconditionally(headers: Headers) -> None:
    for name in list(headers.constants) + list(ERRNO_NATIVE):
        assert name not in headers.duplicates, f"{name} defined more than once"
        macro = headers.macros[name]
        assert macro.params is None
        # Only the include guard may enclose an API constant (no platform variants).
        assert len(macro.conditions) == 1, f"{name} is conditional: {macro.conditions}"
        assert macro.conditions[0] == "ifndef __ZMQ_H_INCLUDED__", name
        assert macro.header == "zmq.h", name


def test_header_constants_match_zmq4_constants(headers: Headers) -> None:
    mismatched = {
        name: (value, constants.ALL.get(_bare(name)))
        for name, value in headers.constants.items()
        if constants.ALL.get(_bare(name)) != value
    }
    assert not mismatched, "header value vs zmq4.zmq_h.ALL: " + repr(mismatched)


def test_zmq4_constants_are_all_in_the_header(headers: Headers) -> None:
    missing = set()
    for name, value in constants.ALL.items():
        if name in ERRNO_FALLBACKS or name in ERRNO_NATIVE:
            if name not in headers.errno_macros:
                missing.add(name)
        elif name in OS_ONLY_ERRNO:
            # From the OS errno.h, like libzmq; zmq4 must use the platform's number.
            assert value == getattr(errno, name), name
            assert name not in headers.macros, f"zmq.h must not define {name}"
        elif "ZMQ_" + name not in headers.constants:
            missing.add(name)
    assert not missing, f"in zmq4.zmq_h.ALL but not in the headers: {sorted(missing)}"
    assert OS_ONLY_ERRNO <= set(constants.ALL), "spec §2.10 errno names missing from ALL"


def test_version_macros(headers: Headers) -> None:
    c = headers.constants
    assert (c["ZMQ_VERSION_MAJOR"], c["ZMQ_VERSION_MINOR"], c["ZMQ_VERSION_PATCH"]) == (4, 0, 10)
    assert c["ZMQ_VERSION"] == 40010 == constants.VERSION
    assert headers.macros["ZMQ_MAKE_VERSION"].params == ("major", "minor", "patch")


def test_spec_defaults_and_aliases(headers: Headers) -> None:
    c = headers.constants
    assert c["ZMQ_IO_THREADS_DFLT"] == 1
    assert c["ZMQ_MAX_SOCKETS_DFLT"] == 1023
    assert c["ZMQ_POLLITEMS_DFLT"] == 16
    assert c["ZMQ_XREQ"] == c["ZMQ_DEALER"] == 5
    assert c["ZMQ_XREP"] == c["ZMQ_ROUTER"] == 6
    assert c["ZMQ_NOBLOCK"] == c["ZMQ_DONTWAIT"] == 1
    assert c["ZMQ_IPV4ONLY"] == 31
    assert c["ZMQ_DELAY_ATTACH_ON_CONNECT"] == c["ZMQ_IMMEDIATE"] == 39
    assert c["ZMQ_FAIL_UNROUTABLE"] == c["ZMQ_ROUTER_BEHAVIOR"] == c["ZMQ_ROUTER_MANDATORY"]
    events = [v for k, v in c.items() if k.startswith("ZMQ_EVENT_") and k != "ZMQ_EVENT_ALL"]
    assert len(events) == 11
    assert sorted(events) == [1 << i for i in range(11)]
    combined = 0
    for v in events:
        combined |= v
    assert c["ZMQ_EVENT_ALL"] == combined


def test_errno_fallbacks_are_hausnumero_based_and_guarded(headers: Headers) -> None:
    hausnumero = headers.constants["ZMQ_HAUSNUMERO"]
    assert hausnumero == constants.HAUSNUMERO == 156384712
    for name, n in ERRNO_FALLBACKS.items():
        assert headers.errno_macros.get(name) == hausnumero + n, name
        macro = headers.macros[name]
        assert name not in headers.duplicates
        # Defined only when <errno.h> lacks it (directly inside "#ifndef NAME").
        assert macro.conditions[-1] == f"ifndef {name}", (name, macro.conditions)
        # zmq4 itself uses the platform's value (Linux numbers), not the stand-in.
        if hasattr(errno, name):
            assert constants.ALL[name] == getattr(errno, name), name


def test_native_errno_codes(headers: Headers) -> None:
    for name, n in ERRNO_NATIVE.items():
        assert headers.errno_macros[name] == constants.HAUSNUMERO + n == constants.ALL[name]
    assert set(constants.ERRNO_NAMES) == set(ERRNO_FALLBACKS) | set(ERRNO_NATIVE)


def test_zmq4_constants_module_exposes_all_names_unprefixed() -> None:
    for name, value in constants.ALL.items():
        assert getattr(constants, name) == value, name


def test_capi_exposes_every_header_constant(headers: Headers) -> None:
    from zmq4 import capi

    missing = {n for n in headers.constants if not hasattr(capi, n)}
    assert not missing, f"zmq4.capi lacks: {sorted(missing)}"
    wrong = {
        n: (getattr(capi, n), v) for n, v in headers.constants.items() if getattr(capi, n) != v
    }
    assert not wrong, f"zmq4.capi value vs header: {wrong}"
    # No invented ZMQ_ names; prefixed errno codes (ZMQ_EAGAIN...) are tolerated as
    # long as they carry zmq4's (platform) value.
    errno_names = set(ERRNO_FALLBACKS) | set(ERRNO_NATIVE) | OS_ONLY_ERRNO
    extra = {}
    for n in dir(capi):
        value = getattr(capi, n)
        if not re.fullmatch(r"ZMQ_[A-Z0-9_]+", n) or type(value) is not int:
            continue
        if n in headers.constants:
            continue
        if _bare(n) in errno_names and value == constants.ALL[_bare(n)]:
            continue
        extra[n] = value
    assert not extra, f"zmq4.capi has ZMQ_ constants zmq.h lacks: {extra}"


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------


def test_prototypes_declare_the_52_public_functions(headers: Headers) -> None:
    names = {p.name for p in headers.prototypes}
    assert len(names) == PUBLIC_FUNCTION_COUNT == len(SIGNATURES)
    assert names == set(SIGNATURES)
    by_header: dict[str, set[str]] = {}
    for p in headers.prototypes:
        by_header.setdefault(p.header, set()).add(p.name)
    assert by_header["zmq_utils.h"] == UTILS_FUNCTIONS
    assert by_header["zmq.h"] == set(SIGNATURES) - UTILS_FUNCTIONS | {
        "zmq_z85_encode", "zmq_z85_decode"
    }


def test_each_function_declared_once_per_header_and_consistently(headers: Headers) -> None:
    seen: dict[tuple[str, str], int] = {}
    texts: dict[str, set[str]] = {}
    for p in headers.prototypes:
        seen[(p.header, p.name)] = seen.get((p.header, p.name), 0) + 1
        texts.setdefault(p.name, set()).add(p.text)
    assert all(n == 1 for n in seen.values()), {k: n for k, n in seen.items() if n > 1}
    # The Z85 pair appears in both headers with the very same declaration.
    assert {n: t for n, t in texts.items() if len(t) > 1} == {}


def test_no_function_is_declared_without_zmq_export() -> None:
    for path in HEADERS:
        exported = {p.name for p in parse_prototypes(path)}
        assert bare_function_mentions(path) == exported, path.name


def test_capi_has_every_function(headers: Headers) -> None:
    from zmq4 import capi

    names = sorted({p.name for p in headers.prototypes})
    missing = [n for n in names if not callable(getattr(capi, n, None))]
    assert not missing, f"zmq4.capi lacks callables: {missing}"


# ---------------------------------------------------------------------------
# Real compilers
# ---------------------------------------------------------------------------


def _compiler(env_var: str, default: str) -> list[str]:
    cmd = shlex.split(os.environ.get(env_var, default))
    if not cmd or shutil.which(cmd[0]) is None:
        pytest.fail(f"no {default!r} compiler found ({env_var}); one is required by zmq4")
    return cmd


def _translation_unit(headers: Headers, includes: tuple[str, ...]) -> str:
    lines = [f'#include "{h}"' for h in includes]
    if "zmq.h" not in includes or "zmq_utils.h" not in includes:
        return "\n".join(lines) + "\nint zmq4_header_only_check;\n"
    lines.append("#include <stddef.h>")
    # The preprocessor must see exactly the numbers the regex parser found.
    for name, value in sorted(headers.constants.items()):
        lines += [f"#if !defined {name} || ({name}) != {value}", f"#error {name}", "#endif"]
    # On this platform <errno.h> has every POSIX code: the stand-ins must be inactive
    # and the numbers equal to zmq4's (Python's errno module, same platform).
    for name in list(ERRNO_FALLBACKS) + list(ERRNO_NATIVE):
        value = constants.ALL[name]
        lines += [f"#if !defined {name} || ({name}) != {value}", f"#error {name}", "#endif"]
    lines += [
        "typedef char zmq4_check_msg_size[sizeof (zmq_msg_t) == 32 ? 1 : -1];",
        "typedef char zmq4_check_poll_order[(offsetof (zmq_pollitem_t, socket) == 0"
        " && offsetof (zmq_pollitem_t, fd) < offsetof (zmq_pollitem_t, events)"
        " && offsetof (zmq_pollitem_t, events) < offsetof (zmq_pollitem_t, revents))"
        " ? 1 : -1];",
        "static void zmq4_free (void *data, void *hint) { (void) data; (void) hint; }",
        "static void zmq4_thread (void *arg) { (void) arg; }",
    ]
    for name, (ret, args) in SIGNATURES.items():
        lines.append(f"typedef {ret} zmq4_type_{name} ({args});")
    lines.append("void zmq4_check_types (void);")
    lines.append("void zmq4_check_types (void)")
    lines.append("{")
    lines += [
        "    zmq_msg_t msg;",
        "    zmq_pollitem_t item;",
        "    zmq_event_t event;",
        "    zmq_free_fn *ffn = zmq4_free;",
        "    zmq_thread_fn *tfn = zmq4_thread;",
        "    void **item_socket = &item.socket;",
        "    int *item_fd = &item.fd;",
        "    short *item_events = &item.events;",
        "    short *item_revents = &item.revents;",
        "    uint16_t *event_id = &event.event;",
        "    int32_t *event_value = &event.value;",
        "    unsigned char *msg_bytes = msg._;",
        "    (void) ffn; (void) tfn; (void) item_socket; (void) item_fd;",
        "    (void) item_events; (void) item_revents; (void) event_id;",
        "    (void) event_value; (void) msg_bytes;",
    ]
    for name in SIGNATURES:
        lines.append(f"    {{ zmq4_type_{name} *p = {name}; (void) p; }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


_ORDERS = {
    "both": ("zmq.h", "zmq_utils.h"),
    "both-reversed": ("zmq_utils.h", "zmq.h"),
    "zmq.h-alone": ("zmq.h",),
    "zmq_utils.h-alone": ("zmq_utils.h",),
}


@pytest.mark.parametrize("order", sorted(_ORDERS))
@pytest.mark.parametrize("language", ["c99", "c++"])
def test_headers_compile(headers: Headers, tmp_path: Path, language: str, order: str) -> None:
    source = _translation_unit(headers, _ORDERS[order])
    if language == "c99":
        cmd = _compiler("CC", "cc") + ["-std=c99", "-x", "c"]
        unit = tmp_path / "unit.c"
    else:
        cmd = _compiler("CXX", "c++") + ["-x", "c++"]
        unit = tmp_path / "unit.cpp"
    unit.write_text(source)
    cmd += ["-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", f"-I{INCLUDE}", str(unit)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stdout}{result.stderr}"
