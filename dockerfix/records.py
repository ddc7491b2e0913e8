"""`dataclass` for the project's record types, cheaper to define than the standard library's.

Defining a frozen dataclass on Python 3.11 compiles six small functions from source, one at a
time: about a millisecond a class, and the project defines a hundred of them before it reads a
single Dockerfile. This decorator compiles `__init__` as the standard library writes it, and
`__eq__` and `__hash__` the same way when first called (most classes never are); `__repr__`
and the frozen `__setattr__`/`__delattr__`, seldom called, are closures over the field
names. The standard library still collects the fields, so `dataclasses.fields`, `replace` and
`asdict` work unchanged, and type checkers see the standard decorator.

Supported: `frozen`, `eq`, and fields with `default`, `default_factory`, `init`, `repr` and
`compare` (what the project uses). Anything else (`kw_only`, `hash`, `__post_init__`,
`ClassVar` and `InitVar` fields, dataclass bases) raises `TypeError` at definition, so nothing
is silently different. `tests/test_records.py` holds the behaviour to the standard library's,
case by case.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from reprlib import recursive_repr
from typing import TYPE_CHECKING, Any

_MISSING = dataclasses.MISSING
_collect = dataclasses.dataclass


class _Factory:
    """The `__init__` default that stands for "call the field's default_factory"."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(cls=None, /, *, frozen=False, eq=True):
        """`dataclasses.dataclass(cls, frozen=..., eq=...)`, defined without six compilations."""

        def wrap(cls):
            return _build(cls, frozen=frozen, eq=eq)

        return wrap if cls is None else wrap(cls)


def _build(cls: type, *, frozen: bool, eq: bool) -> type:
    for base in cls.__mro__[1:]:
        if dataclasses.is_dataclass(base):
            raise TypeError(f"{cls.__qualname__}: dataclass bases are not supported")
    if "__post_init__" in cls.__dict__:
        raise TypeError(f"{cls.__qualname__}: __post_init__ is not supported")
    body = dict(cls.__dict__)
    documented = bool(body.get("__doc__"))
    if not documented:  # the standard library would read the signature of object's __init__
        cls.__doc__ = cls.__name__
    # The standard library collects and checks the fields; it generates nothing here.
    _collect(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)
    for f in fields:
        if f.kw_only or f.hash is not None:
            raise TypeError(
                f"{cls.__qualname__}.{f.name}: only default, default_factory, init, "
                "repr and compare are supported on fields"
            )
    if len(fields) != len(cls.__dict__["__dataclass_fields__"]):
        raise TypeError(f"{cls.__qualname__}: ClassVar and InitVar fields are not supported")
    methods: dict[str, Any] = {"__init__": _compiled(cls, fields, frozen, "__init__")}
    # __eq__ and __hash__ are compiled when first called: most classes are never compared.
    if eq and "__eq__" not in body:
        methods["__eq__"] = _on_first_call(cls, fields, "__eq__")
    own_hash = body.get("__hash__", _MISSING)
    explicit_hash = not (own_hash is _MISSING or (own_hash is None and "__eq__" in body))
    if eq and frozen and not explicit_hash:
        methods["__hash__"] = _on_first_call(cls, fields, "__hash__")
    elif eq and not explicit_hash:
        methods["__hash__"] = None  # mutable and compared by value: unhashable
    if "__repr__" not in body:
        methods["__repr__"] = _repr(cls, tuple(f.name for f in fields if f.repr))
    if frozen:
        if "__setattr__" in body or "__delattr__" in body:
            raise TypeError(
                f"{cls.__qualname__}: a frozen dataclass cannot define __setattr__ or __delattr__"
            )
        methods["__setattr__"], methods["__delattr__"] = _frozen(
            cls, frozenset(f.name for f in fields)
        )
    for name, method in methods.items():
        setattr(cls, name, method)
    if not documented:  # as the standard library words it, from the signature of __init__
        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    return cls


def _compiled(
    cls: type, fields: tuple[dataclasses.Field[Any], ...], frozen: bool, name: str
) -> Callable[..., Any]:
    """`__init__`, `__eq__` or `__hash__`, compiled from source as the standard library writes
    it: one assignment per field; one tuple of the compared fields."""
    env: dict[str, Any] = {"_FACTORY": _FACTORY, "_set": object.__setattr__}
    compared = "".join(f"self.{f.name}," for f in fields if f.compare)
    if name == "__eq__":
        theirs = compared.replace("self.", "other.")
        source = [
            "def __eq__(self, other):",
            "  if other.__class__ is self.__class__:",
            f"    return ({compared})==({theirs})",
            "  return NotImplemented",
        ]
    elif name == "__hash__":
        source = ["def __hash__(self):", f"  return hash(({compared}))"]
    else:
        source = _init_source(fields, frozen, env)
    exec("\n".join(source) + "\n", env)  # built from the class's own field names
    method: Callable[..., Any] = env[name]
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    method.__module__ = cls.__module__
    if name == "__init__":
        annotations = {f.name: f.type for f in fields if f.init}
        method.__annotations__ = annotations | {"return": None}
    return method


def _init_source(
    fields: tuple[dataclasses.Field[Any], ...], frozen: bool, env: dict[str, Any]
) -> list[str]:
    """The lines of `__init__`; the defaults and factories it names go into `env`."""
    params, lines = ["self"], []
    seen_default = False
    for f in fields:
        name = f.name
        if not f.init:  # not a parameter: set from its default, or left unset
            if f.default is not _MISSING:
                env[f"_dflt_{name}"] = f.default
                value = f"_dflt_{name}"
            elif f.default_factory is not _MISSING:
                env[f"_fac_{name}"] = f.default_factory
                value = f"_fac_{name}()"
            else:
                continue
        elif f.default is not _MISSING:
            env[f"_dflt_{name}"] = f.default
            params.append(f"{name}=_dflt_{name}")
            seen_default = True
            value = name
        elif f.default_factory is not _MISSING:
            env[f"_fac_{name}"] = f.default_factory
            params.append(f"{name}=_FACTORY")
            seen_default = True
            value = f"_fac_{name}() if {name} is _FACTORY else {name}"
        else:
            if seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            value = name
        lines.append(f"  _set(self, {name!r}, {value})" if frozen else f"  self.{name} = {value}")
    return [f"def __init__({', '.join(params)}):", *(lines or ["  pass"])]


def _on_first_call(
    cls: type, fields: tuple[dataclasses.Field[Any], ...], name: str
) -> Callable[..., Any]:
    """A stand-in for `__eq__` or `__hash__` that compiles the method on its first call and
    puts it on the class in its own place."""

    def first(self: Any, *args: Any) -> Any:
        method = _compiled(cls, fields, False, name)
        setattr(cls, name, method)
        return method(self, *args)

    first.__qualname__ = f"{cls.__qualname__}.{name}"
    first.__name__ = name
    return first


def _repr(cls: type, names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    __repr__.__qualname__ = f"{cls.__qualname__}.__repr__"
    return recursive_repr()(__repr__)


def _eq(cls: type, key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    __eq__.__qualname__ = f"{cls.__qualname__}.__eq__"
    return __eq__


def _hash(cls: type, key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    __hash__.__qualname__ = f"{cls.__qualname__}.__hash__"
    return __hash__


def _frozen(
    cls: type[Any], names: frozenset[str]
) -> tuple[Callable[..., None], Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    __setattr__.__qualname__ = f"{cls.__qualname__}.__setattr__"
    __delattr__.__qualname__ = f"{cls.__qualname__}.__delattr__"
    return __setattr__, __delattr__
