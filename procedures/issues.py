"""A problem found in catalog data, with the place it was found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Path = tuple[str | int, ...]


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
