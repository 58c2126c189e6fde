"""Batch stage, its result: what a batch made, failed and skipped, and the progress
display it reports to (the CLI's bar or lines; nothing when run as a library).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .batch_plan import RowOutcome
from .batch_plan import HANDOUTS_DIR
from .batch_workers import FAILED, MADE, SKIPPED

LEFTOVER_NAMES_SHOWN = 10


@dataclass
class BatchResult:
    outcomes: list[RowOutcome]
    seconds: float
    manifest_path: Path
    print_path: Path | None = None
    print_handouts: int = 0
    print_pages: int = 0
    print_error: str = ""
    interrupted: bool = False
    #: PDF names in handouts/ that no row of this list made or skipped: left there by an
    #: earlier, different list (never deleted; see leftover_warning). Empty when the
    #: batch was interrupted, as rows not made yet would be counted.
    leftover: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def made(self) -> int:
        return self.count(MADE)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    @property
    def rate(self) -> float:
        return self.made / self.seconds if self.seconds > 0 else 0.0

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.status == FAILED]

    @property
    def leftover_warning(self) -> str:
        """One line for the leftover handouts, or ''. File names come from record ids,
        never from patients' names."""
        if not self.leftover:
            return ""
        count = len(self.leftover)
        shown = ", ".join(self.leftover[:LEFTOVER_NAMES_SHOWN])
        more = f" and {count - LEFTOVER_NAMES_SHOWN} more" if count > LEFTOVER_NAMES_SHOWN else ""
        folder = self.manifest_path.parent / HANDOUTS_DIR
        they = "it is" if count == 1 else "they are"
        return (f"{folder}: {count} handout{'s' * (count != 1)} not from this list: "
                f"{shown}{more} ({they} left from an earlier list; move or delete "
                f"{'it' if count == 1 else 'them'} before printing from this folder)")


class Progress(Protocol):
    def start(self, total: int, done: int) -> None: ...
    def row(self, outcome: RowOutcome) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int, done: int) -> None: pass
    def row(self, outcome: RowOutcome) -> None: pass
    def note(self, text: str) -> None: pass
    def close(self) -> None: pass

# -- the run ---------------------------------------------------------------------------
