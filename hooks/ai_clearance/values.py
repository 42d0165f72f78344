"""Small value classes without the `dataclasses` import (about 20 ms: it pulls in `inspect`),
which every commit pays in the hooks. `value` generates `__init__`, `__repr__`, `__eq__` and
(for frozen classes) `__hash__` from the class annotations, as dataclasses would."""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # typing costs ~10 ms to import; hooks pay it on every commit
if TYPE_CHECKING:
    from typing import Any, TypeVar

    _T = TypeVar("_T")
_MISSING: Any = object()


class Field:
    """A field whose default is made per instance by `default_factory`."""

    __slots__ = ("default_factory",)

    def __init__(self, default_factory: Callable[[], Any]) -> None:
        self.default_factory = default_factory


def field(*, default_factory: Callable[[], Any]) -> Any:
    """Like dataclasses.field(default_factory=...)."""
    return Field(default_factory)


def _fields(cls: type) -> list[str]:
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        # Not inspect.get_annotations: importing inspect is the cost this module avoids.
        for name in klass.__dict__.get("__annotations__", {}):  # noqa: RUF063
            if name not in names:
                names.append(name)
    return names


def _build(cls: type[_T], frozen: bool) -> type[_T]:
    names = _fields(cls)
    defaults: dict[str, Any] = {}
    for name in names:
        if name in cls.__dict__:
            defaults[name] = cls.__dict__[name]
    params, body, namespace = [], [], {"_MISSING": _MISSING}
    for name in names:
        default = defaults.get(name, _MISSING)
        if isinstance(default, Field):
            namespace[f"_factory_{name}"] = default.default_factory
            params.append(f"{name}=_MISSING")
            body.append(f"  self.{name} = _factory_{name}() if {name} is _MISSING else {name}")
        elif default is not _MISSING:
            namespace[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            body.append(f"  self.{name} = {name}")
        else:
            params.append(name)
            body.append(f"  self.{name} = {name}")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "  pass")
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__name__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in names)

    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, n) for n in names))

    for name in names:
        if name in cls.__dict__ and isinstance(cls.__dict__[name], Field):
            delattr(cls, name)
    cls.__init__ = init  # type: ignore[method-assign]
    cls.__repr__ = __repr__  # type: ignore[method-assign]
    cls.__eq__ = __eq__  # type: ignore[method-assign]
    cls.__hash__ = __hash__ if frozen else None  # type: ignore[assignment,method-assign]
    cls.__value_fields__ = tuple(names)  # type: ignore[attr-defined]
    return cls


if TYPE_CHECKING:
    from typing import dataclass_transform

    @dataclass_transform(frozen_default=True, field_specifiers=(field,))
    def value(cls: type[_T] | None = None, *, frozen: bool = True) -> Any: ...
else:
    def value(cls=None, *, frozen=True):
        """Class decorator: a value class (frozen unless `frozen=False`)."""
        if cls is None:
            return lambda klass: _build(klass, frozen)
        return _build(cls, frozen)


def replace(obj: _T, **changes: Any) -> _T:
    """A copy of a value with some fields changed."""
    names: tuple[str, ...] = type(obj).__value_fields__  # type: ignore[attr-defined]
    values = {n: getattr(obj, n) for n in names}
    values.update(changes)
    return type(obj)(**values)


def asdict(obj: Any) -> Any:
    """Values, lists and dicts as plain data (for JSON)."""
    names = getattr(type(obj), "__value_fields__", None)
    if names is not None:
        return {n: asdict(getattr(obj, n)) for n in names}
    if isinstance(obj, (list, tuple)):
        return [asdict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: asdict(v) for k, v in obj.items()}
    return obj
