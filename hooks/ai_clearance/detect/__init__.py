"""Detectors: pure functions from what a commit holds (paths, messages, identities, file
contents, workflows, symlinks) to matches of catalog rules."""
