"""Options as attributes (pyzmq's ``zmq.sugar.attrsettr``): ``sock.linger = 0``,
``ctx.io_threads``, ``sock.identity``.

Owns :class:`AttributeSetter`, the mixin behind the attribute syntax of
:class:`~zmq4.sugar.socket.Socket` and :class:`~zmq4.sugar.context.Context`.

Rules: a name the class (or a base, or an annotation) defines, or one already in the
instance's ``__dict__``, is an ordinary attribute; any other name is looked up, in upper
case, among the option enums the class lists in ``_attr_enums``, and becomes
``self._set_attr_opt(NAME, option, value)`` / ``self._get_attr_opt(NAME, option)`` (by
default ``set``/``get``). A name that is no option is ``AttributeError`` naming it, and so is
reading a write-only option, or one the library refuses to read (EINVAL/EFAULT, e.g. a
later libzmq's option): ``hasattr`` and ``mock.Mock(spec=...)`` rely on that. Names
starting with ``_`` are never options.
Imports: the option table and the leaves.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, ClassVar, TypeVar

from .. import zmq_h as C
from ..core import options as _options
from ..errors import ZMQError

T = TypeVar("T")
#: The value of an option (pyzmq's name).
OptValT = str | bytes | int

_PLAIN: dict[type, frozenset[str]] = {}


def plain_attributes(cls: type) -> frozenset[str]:
    """Names that are ordinary attributes of ``cls`` (not options), cached per class."""
    names = _PLAIN.get(cls)
    if names is None:
        found: set[str] = set()
        for klass in cls.__mro__:
            found.update(klass.__dict__)
            found.update(klass.__dict__.get("__annotations__", {}))
        names = _PLAIN[cls] = frozenset(found)
    return names


class AttributeSetter:
    """Maps unknown attribute names to options of the enums in ``_attr_enums``."""

    __slots__ = ()

    #: the option enums whose member names are attributes, first match wins
    _attr_enums: ClassVar[tuple[type[IntEnum], ...]] = ()

    def _attr_option(self, key: str) -> IntEnum:
        name = key.upper()
        for enum_cls in type(self)._attr_enums:
            member = enum_cls.__members__.get(name)
            if member is not None:
                return member
        raise AttributeError(f"{type(self).__name__} has no such option: {name}")

    def __setattr__(self, key: str, value: Any) -> None:
        if key in plain_attributes(type(self)) or key in getattr(self, "__dict__", ()):
            object.__setattr__(self, key, value)
            return
        opt = self._attr_option(key)
        self._set_attr_opt(opt.name, opt, value)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_") or key in plain_attributes(type(self)):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")
        opt = self._attr_option(key)
        try:
            return self._get_attr_opt(opt.name, opt)
        except ZMQError as e:
            if e.errno in (C.EINVAL, C.EFAULT):  # pyzmq's rule: not readable here
                raise AttributeError(f"{key} attribute cannot be read: {e}") from e
            raise

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        """What ``obj.<name> = value`` does for an option (default: ``set``)."""
        self.set(opt, value)

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        """What reading ``obj.<name>`` does for an option (default: ``get``); a write-only
        socket option is ``AttributeError``."""
        spec = _options.OPTIONS.get(int(opt))
        if spec is not None and not spec.readable:
            raise AttributeError(f"{name.lower()} attribute is write-only ({spec.c_name})")
        return self.get(opt)

    def set(self, option: int, value: Any) -> None:
        raise NotImplementedError("a class using AttributeSetter implements set()")

    def get(self, option: int) -> Any:
        raise NotImplementedError("a class using AttributeSetter implements get()")


__all__ = ["AttributeSetter", "OptValT", "plain_attributes"]
