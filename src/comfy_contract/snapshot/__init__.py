"""Snapshot: canonical forms of workflows, graph-aware diffs, and the approved-snapshot store."""
