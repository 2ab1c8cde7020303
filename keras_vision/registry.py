"""A small named registry, one per kind of thing (experiments, architectures, datasets)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from keras_vision.errors import UsageError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects; refuses duplicates and explains unknown names.

    Args:
        kind: What the registry holds, used in error messages ("experiment", "architecture").

    Example:
        >>> EXPERIMENTS = Registry("experiment")
        >>> @EXPERIMENTS.register("mnist")
        ... def mnist(config): ...
        >>> EXPERIMENTS.get("mnist") is mnist
        True
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, obj: T | None = None) -> Callable[[T], T] | T:
        """Registers `obj` under `name`; without `obj`, returns a decorator.

        Raises:
            ValueError: if `name` is already registered.
        """

        def add(item: T) -> T:
            if name in self._items:
                raise ValueError(f"The {self.kind} {name!r} is already registered.")
            self._items[name] = item
            return item

        return add if obj is None else add(obj)

    def get(self, name: str) -> T:
        """Returns the object registered as `name`.

        Raises:
            UsageError: (a `ValueError`) naming the closest valid names and listing all of them.
        """
        try:
            return self._items[name]
        except KeyError:
            raise UsageError(self.unknown_message(name)) from None

    def unknown_message(self, name: object) -> str:
        """The sentence used when `name` is not registered."""
        close = difflib.get_close_matches(str(name), self._items, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        return f"Unknown {self.kind} {name!r}.{hint} Valid {self.kind}s: {', '.join(self.names())}."

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
