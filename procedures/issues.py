"""A problem found in catalog data, with the place it was found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


def unstorable_text(value: Any, path: Path = ()) -> list[Path]:
    """Where in ``value`` (nested mappings and lists) a text, key or value, holds a
    NUL or a lone surrogate character: PostgreSQL cannot store either."""
    if isinstance(value, str):
        return [path] if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value) else []
    found: list[Path] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += unstorable_text(key, path) + unstorable_text(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unstorable_text(item, (*path, index))
    return found


def format_path(path: Iterable[str | int]) -> str:
    """``("steps", 1, "actions", 0)`` → ``steps[1].actions[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class Issue:
    """One validation error: where (a path into the data) and why."""

    path: Path
    message: str

    def located(self, prefix: Path) -> Issue:
        return Issue(prefix + self.path, self.message)

    def __str__(self) -> str:
        where = format_path(self.path)
        return f"{where}: {self.message}" if where else self.message
