"""Reports of a check: text and JSON for people and scripts, SARIF, GitHub annotations and the
job summary for CI."""
