"""ai-clearance: keep AI coding assistants out of a repository unless someone approved them."""

__version__ = "0.1.0"

# Where the project lives; pyproject's [project.urls], the README's install lines, SARIF's
# tool and rule links all name it (a test keeps them in step).
HOME_URL = "https://github.com/ai-clearance/ai-clearance"


def rule_docs_url(rule_id: str) -> str:
    """The page that documents a catalog rule, at this version's tag: docs/rules.md, whose
    headings are the rule ids (GitHub makes `### AIC101` the anchor `#aic101`)."""
    return f"{HOME_URL}/blob/v{__version__}/docs/rules.md#{rule_id.lower()}"
