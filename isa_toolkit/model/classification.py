"""The data and information sensitivity classification (``classification.yaml``, seed 001).

Four levels, lowest first; each maps to a classification (public, restricted,
confidential, strictly confidential) and says how such data may be shared.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .agreement import Count, Day, Frozen, Level
from .localized import Localized


class LevelDefinition(Frozen):
    level: Level
    classification: Localized
    description: Localized
    dissemination: list[Localized] = Field(min_length=1)
    data_types: list[Localized] = []


class ClassificationReview(Frozen):
    """The classification table is reviewed on its own, shorter cycle (six months, seed 001)."""

    interval_months: Count = Field(default=6, ge=1, le=60)
    last: Day | None = None


class Classification(Frozen):
    """What ``classification.yaml`` holds: one definition per level, lowest first."""

    review: ClassificationReview = ClassificationReview()
    levels: list[LevelDefinition]

    @model_validator(mode="after")
    def _every_level_once_in_order(self) -> Classification:
        found = [definition.level for definition in self.levels]
        if found != list(Level):
            expected = ", ".join(level.value for level in Level)
            raise ValueError(f"levels must be {expected}, each once and in that order (found {', '.join(level.value for level in found)})")
        return self

    def definition(self, level: Level) -> LevelDefinition:
        return self.levels[level.rank]
