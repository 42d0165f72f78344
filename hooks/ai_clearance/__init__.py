"""ai-clearance: keep AI coding assistants out of a repository unless someone approved them."""

__version__ = "0.1.0"
