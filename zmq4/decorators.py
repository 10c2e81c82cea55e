"""Decorators that hand a function a context or socket for the length of each call
(pyzmq's ``zmq.decorators``)::

    @context()
    @socket(zmq4.PUSH)
    def work(ctx, push): ...

Owns: ``context(*args, **kwargs)`` and ``socket(*args, **kwargs)``. Each call of the
decorated function creates the object in a ``with`` block (so it is closed or terminated
when the call returns or raises) and passes it on: appended to the positional arguments,
or as a keyword argument when a name is given (a first positional ``str``, or
``name=``). The remaining arguments go to ``Context(...)`` or ``ctx.socket(...)``.
A socket's context is, in this order: the keyword argument named ``context_name``
(default ``"context"``) when it holds a Context, the first positional Context argument
(e.g. one an outer ``@context()`` passed), else ``Context.instance()``.
Passing the named argument yourself as well is a ``TypeError``, as Python's own
"multiple values" error.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import wraps
from typing import Any, TypeVar, cast

from .context import Context

__all__ = ["context", "socket"]

_F = TypeVar("_F", bound=Callable[..., Any])


class _Decorator:
    """Makes the per-call object with ``factory(*args, **kwargs)`` and passes it on."""

    def __init__(self, name: str | None, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        self.name = name
        self.args = args
        self.kwargs = kwargs

    def factory(self, call_args: tuple[Any, ...],
                call_kwargs: dict[str, Any]) -> Callable[..., AbstractContextManager[Any]]:
        raise NotImplementedError

    def __call__(self, func: _F) -> _F:
        name = self.name

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if name is not None and name in kwargs:
                raise TypeError(f"{func.__name__}() got multiple values for argument "
                                f"{name!r}")
            make = self.factory(args, kwargs)
            with make(*self.args, **self.kwargs) as obj:
                if name is not None:
                    kwargs[name] = obj
                else:
                    args = (*args, obj)
                return func(*args, **kwargs)

        return cast(_F, wrapper)


def _split_name(args: tuple[Any, ...], kwargs: dict[str, Any]
                ) -> tuple[str | None, tuple[Any, ...]]:
    name = kwargs.get("name")
    if isinstance(name, str):
        del kwargs["name"]
        return name, args
    if args and isinstance(args[0], str):
        return args[0], args[1:]
    return None, args


class _ContextDecorator(_Decorator):
    def factory(self, call_args: tuple[Any, ...],
                call_kwargs: dict[str, Any]) -> Callable[..., AbstractContextManager[Any]]:
        return Context


class _SocketDecorator(_Decorator):
    def __init__(self, name: str | None, args: tuple[Any, ...], kwargs: dict[str, Any],
                 context_name: str) -> None:
        super().__init__(name, args, kwargs)
        self.context_name = context_name

    def factory(self, call_args: tuple[Any, ...],
                call_kwargs: dict[str, Any]) -> Callable[..., AbstractContextManager[Any]]:
        ctx = call_kwargs.get(self.context_name)
        if not isinstance(ctx, Context):
            ctx = next((a for a in call_args if isinstance(a, Context)), None)
        if ctx is None:
            ctx = Context.instance()
        return cast(Callable[..., AbstractContextManager[Any]], ctx.socket)


def context(*args: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """Give the function a new :class:`zmq4.Context` per call (terminated afterwards).

    ``@context()``, ``@context("ctx")``, ``@context(name="ctx", io_threads=2)``:
    arguments other than the name go to ``Context(...)``."""
    name, rest = _split_name(args, kwargs)
    return _ContextDecorator(name, rest, kwargs)


def socket(*args: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """Give the function a new socket per call (closed afterwards).

    ``@socket(zmq4.PUSH)``, ``@socket("push", zmq4.PUSH)``, ``@socket(zmq4.SUB,
    name="sub", context_name="ctx")``: arguments other than the names go to
    ``ctx.socket(...)``."""
    context_name = kwargs.pop("context_name", "context")
    name, rest = _split_name(args, kwargs)
    return _SocketDecorator(name, rest, kwargs, context_name)
