"""Aggregates for publication: counts by dimension with small-cell suppression."""

from redzone.stats.suppression import Cell, SuppressedTable, suppress_1d, suppress_2d
from redzone.stats.tables import DIMENSIONS, raw_counts, statistics, summary

__all__ = ["Cell", "DIMENSIONS", "SuppressedTable", "raw_counts", "statistics", "summary", "suppress_1d", "suppress_2d"]
