"""The command line: `ai-clearance` and its maintainer commands, and the console scripts' entry
points."""
