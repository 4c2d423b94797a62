"""Evidence files: stored encrypted with their SHA-256 and acquisition facts, and a custody trail
of every hand they pass through. The CLI, the web and the exporters call only what is named here."""

from redzone.evidence.container import DamagedEvidence
from redzone.evidence.custody import (CUSTODY_ACTIONS, current_holder, custody_log, custody_mismatches, find_evidence,
                                      record_export, transfer)
from redzone.evidence.store import (FileProblem, VerificationReport, add_evidence, export_evidence, guess_media_type,
                                    list_evidence, open_evidence, record_refusal, reveal_filename, verify_all)

__all__ = [
    "CUSTODY_ACTIONS", "DamagedEvidence", "FileProblem", "VerificationReport", "add_evidence", "current_holder",
    "custody_log", "custody_mismatches", "export_evidence", "find_evidence", "guess_media_type", "list_evidence",
    "open_evidence", "record_export", "record_refusal", "reveal_filename", "transfer", "verify_all",
]
