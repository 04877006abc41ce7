"""Differences between two versions of a guide, as rows a template shows (and escapes)."""

import difflib
from dataclasses import dataclass, field


@dataclass
class Row:
    kind: str  # "same", "added", "removed" or "gap" (unchanged lines left out)
    text: str = ""
    old: int | None = None  # line numbers, for readers to find their place
    new: int | None = None


@dataclass
class Comparison:
    title: tuple[str, str] | None
    summary: list[Row]
    body: list[Row]
    language: tuple[str, str] | None
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (
            self.title or self.summary or self.body or self.language or self.added or self.removed
        )


def lines(old: str, new: str, *, context: int = 3) -> list[Row]:
    """Changed lines with `context` unchanged ones around them; no rows when equal."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for number, group in enumerate(matcher.get_grouped_opcodes(context)):
        if number or group[0][1] > 0:
            rows.append(Row("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [Row("same", a[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
                continue
            rows += [Row("removed", a[i], old=i + 1) for i in range(i1, i2)]
            rows += [Row("added", b[j], new=j + 1) for j in range(j1, j2)]
    return rows


def compare(old, new) -> Comparison:
    """Two snapshots (versions, or a version and the working copy) field by field."""
    result = Comparison(
        title=(old.title, new.title) if old.title != new.title else None,
        summary=lines(old.summary, new.summary, context=1),
        body=lines(old.body, new.body),
        language=(old.language, new.language) if old.language != new.language else None,
    )
    for name in ("products", "markets", "topics"):
        before, after = set(getattr(old, name)), set(getattr(new, name))
        if after - before:
            result.added[name] = sorted(after - before)
        if before - after:
            result.removed[name] = sorted(before - after)
    return result
