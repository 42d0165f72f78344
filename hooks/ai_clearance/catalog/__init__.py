"""The catalog of assistants and rules (catalog.toml is the data; catalog.json is generated
from it) and how its patterns and path globs compile."""
