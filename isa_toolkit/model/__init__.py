"""The record model: what the register's YAML files may say, validated by pydantic."""

from .agreement import (
    Agreement,
    Amendment,
    Contact,
    DataItem,
    Dpia,
    LegalBasis,
    Level,
    Party,
    Retention,
    Review,
    Rights,
    RiskAssessment,
    SharingMatrix,
    Signoff,
    Status,
    StatusChange,
)
from .classification import Classification, LevelDefinition
from .localized import Localized, text_hash
from .settings import Settings, SignoffChain, SignoffStage

__all__ = [
    "Agreement",
    "Amendment",
    "Classification",
    "Contact",
    "DataItem",
    "Dpia",
    "LegalBasis",
    "Level",
    "LevelDefinition",
    "Localized",
    "Party",
    "Retention",
    "Review",
    "RiskAssessment",
    "Rights",
    "Settings",
    "SharingMatrix",
    "Signoff",
    "SignoffChain",
    "SignoffStage",
    "Status",
    "StatusChange",
    "text_hash",
]
