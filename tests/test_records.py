"""dockerfix.records.dataclass behaves as the standard library's dataclass, case by case."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from dockerfix import records


def twins(make: Callable[[Callable[..., Any]], type], **options: Any) -> tuple[type, type]:
    """The same class body decorated by the standard library and by dockerfix.records."""
    std = make(dataclasses.dataclass(**options))
    ours = make(records.dataclass(**options))
    return std, ours


def full(decorate: Callable[..., Any]) -> type:
    @decorate
    class Step:
        """A record with every kind of field the project uses."""

        name: str
        line: int
        tags: tuple[str, ...] = ()
        notes: list[str] = dataclasses.field(default_factory=list)
        origin: str = dataclasses.field(default="here", compare=False, repr=False)
        cache: dict[str, int] = dataclasses.field(
            default_factory=dict, init=False, compare=False, repr=False
        )

        @property
        def label(self) -> str:
            return f"{self.name}:{self.line}"

    return Step


def pair(decorate: Callable[..., Any]) -> type:
    @decorate
    class Pair:
        """Two compared fields and one that is not."""

        left: str
        right: int
        note: str = dataclasses.field(default="", compare=False)

    return Pair


def single(decorate: Callable[..., Any]) -> type:
    @decorate
    class One:
        """One field: its tuple is `(value,)`."""

        value: float

    return One


def empty(decorate: Callable[..., Any]) -> type:
    @decorate
    class Nothing:
        """No fields at all."""

    return Nothing


@pytest.mark.parametrize("frozen", [True, False])
def test_full_record_matches_the_standard_library(frozen: bool) -> None:
    std, ours = twins(full, frozen=frozen)
    a, b = std("run", 3, ("x",), ["n"]), ours("run", 3, ("x",), ["n"])
    assert (
        repr(b) == repr(a) == ("full.<locals>.Step(name='run', line=3, tags=('x',), notes=['n'])")
    )
    assert str(inspect.signature(ours)) == str(inspect.signature(std))
    assert [f.name for f in dataclasses.fields(b)] == [f.name for f in dataclasses.fields(a)]
    assert dataclasses.asdict(b) == dataclasses.asdict(a)
    assert ours("run", 3) == ours("run", 3, origin="elsewhere")  # origin is not compared
    assert ours("run", 3) != ours("run", 4)
    assert (ours("run", 3) == std("run", 3)) is False  # another class: NotImplemented both ways
    assert ours("run", 3).__eq__("run") is NotImplemented
    assert ours("a", 1).notes is not ours("a", 1).notes  # a fresh default per instance
    assert ours("a", 1).cache == {} and ours("a", 1).cache is not ours("a", 1).cache
    assert b.label == "run:3"
    changed = dataclasses.replace(b, line=9)
    assert type(changed) is ours and changed.line == 9 and changed.notes == ["n"]
    if frozen:  # the list field makes both unhashable, with the same error
        with pytest.raises(TypeError, match="unhashable type: 'list'"):
            hash(a)
        with pytest.raises(TypeError, match="unhashable type: 'list'"):
            hash(b)
    else:
        assert ours.__hash__ is None and std.__hash__ is None


def test_hash_equals_the_standard_librarys_for_every_field_count() -> None:
    for make, args in ((pair, ("run", 3)), (single, (1.5,)), (empty, ())):
        std, ours = twins(make, frozen=True)
        assert hash(ours(*args)) == hash(std(*args))
    std, ours = twins(pair, frozen=True)
    assert hash(ours("a", 1, "x")) == hash(ours("a", 1, "y")) == hash(("a", 1))
    assert len({ours("a", 1), ours("a", 1, "other"), ours("b", 1)}) == 2
    nan = float("nan")
    std, ours = twins(single, frozen=True)
    a = ours(nan)
    assert (a == a) is (std(nan) == std(nan)) is True  # a tuple compares its own item by identity


def test_frozen_refuses_assignment_and_deletion_with_the_same_message() -> None:
    std, ours = twins(full, frozen=True)
    for cls in (std, ours):
        item = cls("run", 3)
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'line'"):
            item.line = 4
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'other'"):
            item.other = 4
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'line'"):
            del item.line


def test_missing_and_unknown_arguments_fail_as_they_do_with_the_standard_library() -> None:
    std, ours = twins(full, frozen=True)
    for call in (lambda cls: cls("run"), lambda cls: cls("run", 3, cache={}), lambda cls: cls()):
        with pytest.raises(TypeError) as expected:
            call(std)
        with pytest.raises(TypeError) as got:
            call(ours)
        assert str(got.value) == str(expected.value)


def test_eq_false_keeps_identity_comparison_and_hash() -> None:
    std, ours = twins(full, eq=False)
    a, b = ours("run", 3), ours("run", 3)
    assert a != b and a == a and hash(a) == object.__hash__(a)
    assert ours.__eq__ is object.__eq__ and std.__eq__ is object.__eq__


def test_methods_the_class_defines_are_kept() -> None:
    def make(decorate: Callable[..., Any]) -> type:
        @decorate
        class Own:
            """Defines its own repr, eq and hash."""

            key: str

            def __repr__(self) -> str:
                return "own"

            def __eq__(self, other: object) -> bool:
                return True

            def __hash__(self) -> int:
                return 7

        return Own

    std, ours = twins(make, frozen=True)
    assert repr(ours("a")) == repr(std("a")) == "own"
    assert ours("a") == ours("b") and hash(ours("a")) == hash(std("a")) == 7


def test_an_undocumented_class_gets_the_standard_librarys_docstring() -> None:
    def make(decorate: Callable[..., Any]) -> type:
        @decorate
        class Bare:
            key: str
            count: int = 0

        return Bare

    std, ours = twins(make, frozen=True)
    assert ours.__doc__ == std.__doc__ == "Bare(key: 'str', count: 'int' = 0)"
    assert (
        full(records.dataclass(frozen=True)).__doc__
        == "A record with every kind of field the project uses."
    )


def test_a_class_with_eq_only_gets_the_generated_hash_when_frozen() -> None:
    def make(decorate: Callable[..., Any]) -> type:
        @decorate
        class EqOnly:
            """Defines __eq__ but no __hash__ (Python then sets __hash__ to None)."""

            key: str

            def __eq__(self, other: object) -> bool:
                return isinstance(other, type(self)) and other.key == self.key

        return EqOnly

    std, ours = twins(make, frozen=True)
    assert hash(ours("a")) == hash(std("a")) == hash(("a",))
    std, ours = twins(make)
    assert ours.__hash__ is None and std.__hash__ is None


def test_recursive_repr_does_not_loop() -> None:
    std, ours = twins(full, frozen=False)
    looped_std, looped_ours = std("run", 3), ours("run", 3)
    looped_std.notes.append(looped_std)
    looped_ours.notes.append(looped_ours)
    assert (
        repr(looped_ours)
        == repr(looped_std)
        == ("full.<locals>.Step(name='run', line=3, tags=(), notes=[...])")
    )


def test_pickles_and_copies_like_the_standard_library() -> None:
    item = PICKLED("run", 3, ("x",))
    again = pickle.loads(pickle.dumps(item))
    assert again == item and again.origin == "here" and type(again) is PICKLED
    assert dataclasses.replace(item) == item and dataclasses.replace(item) is not item


PICKLED = full(records.dataclass(frozen=True))
PICKLED.__qualname__ = "PICKLED"


def test_a_non_default_field_after_a_default_one_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @records.dataclass(frozen=True)
        class Bad:
            """b has no default but follows a."""

            a: int = 1
            b: int  # type: ignore[misc]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (lambda ns: ns.update(__post_init__=lambda self: None), "__post_init__"),
        (lambda ns: ns["__annotations__"].update(c="ClassVar[int]"), "ClassVar and InitVar"),
        (lambda ns: ns.update(b=dataclasses.field(default=0, kw_only=True)), "only default"),
        (lambda ns: ns.update(b=dataclasses.field(default=0, hash=True)), "only default"),
        (lambda ns: ns.update(__setattr__=lambda self, n, v: None), "cannot define __setattr__"),
    ],
)
def test_what_is_not_supported_is_refused_at_definition(
    body: Callable[[dict[str, Any]], None], message: str
) -> None:
    namespace: dict[str, Any] = {"__annotations__": {"a": "int", "b": "int"}, "b": 0}
    body(namespace)
    cls = type("Odd", (), namespace)
    with pytest.raises(TypeError, match=message):
        records.dataclass(frozen=True)(cls)


def test_a_dataclass_base_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Base:
        """A standard dataclass."""

        a: int

    class Child(Base):
        """Inherits a dataclass."""

    with pytest.raises(TypeError, match="dataclass bases are not supported"):
        records.dataclass(frozen=True)(Child)


def test_class_var_annotations_outside_the_fields_are_refused() -> None:
    annotations: dict[str, Any] = {"a": int, "b": ClassVar[int]}
    cls = type("WithClassVar", (), {"__annotations__": annotations, "b": 1})
    with pytest.raises(TypeError, match="ClassVar and InitVar"):
        records.dataclass(frozen=True)(cls)


def test_eq_and_hash_are_compiled_on_their_first_call_and_then_stay() -> None:
    cls = pair(records.dataclass(frozen=True))
    eq_stand_in, hash_stand_in = cls.__dict__["__eq__"], cls.__dict__["__hash__"]
    assert cls("a", 1) == cls("a", 1, "other") and cls("a", 1) != cls("a", 2)
    compiled = cls.__dict__["__eq__"]
    assert compiled is not eq_stand_in and compiled.__qualname__ == "pair.<locals>.Pair.__eq__"
    assert hash(cls("a", 1)) == hash(("a", 1))
    assert cls.__dict__["__hash__"] is not hash_stand_in
    assert cls("a", 1) == cls("a", 1) and cls.__dict__["__eq__"] is compiled  # compiled once
