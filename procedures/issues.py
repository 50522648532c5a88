"""A problem found in catalog data, with the place it was found."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

Path = tuple[str | int, ...]


# The most digits a number may have, in the catalog and in an answer: a 400-digit integer or
# 1e400 is no time limit, fee, size or area, the checks after this one could not even compare
# it, and 15 digits stay exact as a JSON number in any client.
MAX_DIGITS = 15
LARGEST_NUMBER = 10**MAX_DIGITS


def _leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every text, number and mapping key in ``value`` (nested mappings and lists), with its place."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _unstorable(leaf: Any) -> bool:
    return isinstance(leaf, str) and ("\x00" in leaf or any("\ud800" <= ch <= "\udfff" for ch in leaf))


def unstorable_text(value: Any) -> list[Path]:
    """Where in ``value`` a text, key or value, holds a NUL or a lone surrogate
    character: PostgreSQL cannot store either."""
    return [path for path, leaf in _leaves(value) if _unstorable(leaf)]


def unusable_values(value: Any) -> list[Issue]:
    """What no data of the catalog may hold, whatever its schema: text the database
    cannot store, and numbers that are not finite or have more than 15 digits."""
    issues: list[Issue] = []
    for path, leaf in _leaves(value):
        if _unstorable(leaf):
            issues.append(Issue(path, _("contains a NUL or surrogate character, which cannot be stored")))
        elif isinstance(leaf, float) and not math.isfinite(leaf):
            issues.append(Issue(path, _("must be a finite number, not %(value)s") % {"value": leaf}))
        elif isinstance(leaf, int | float) and not isinstance(leaf, bool) and abs(leaf) >= LARGEST_NUMBER:
            issues.append(Issue(path, _("is too large a number (at most 15 digits)")))
    return issues


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
