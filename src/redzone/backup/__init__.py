"""Backup and restore: the whole workspace (records, evidence files, audit chain) in one encrypted,
integrity-checked file, restored byte for byte into a new or empty workspace on either backend.
The CLI and the web call only what is named here."""

from redzone.backup.archive import DamagedBackup
from redzone.backup.create import BackupReport, create_backup
from redzone.backup.restore import RestoreReport, restore_backup

__all__ = ["BackupReport", "DamagedBackup", "RestoreReport", "create_backup", "restore_backup"]
