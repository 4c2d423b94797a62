"""Legal-element analysis: which elements of each provision a victim's record evidences, by which
acts and graded sources, and which are missing. The CLI and the web call only what is named here."""

from redzone.legal.elements import (ELEMENT_STATUSES, OUTCOMES, ActRef, ElementFinding, PersonAnalysis,
                                    ProvisionFinding, analyse_person)
from redzone.legal.facts import SourceRef, age_range
from redzone.legal.situation import SituationFinding, record_situation_element, situation_findings

__all__ = [
    "ELEMENT_STATUSES", "OUTCOMES", "ActRef", "ElementFinding", "PersonAnalysis", "ProvisionFinding",
    "SituationFinding", "SourceRef", "age_range", "analyse_person", "record_situation_element", "situation_findings",
]
