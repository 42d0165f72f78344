"""Where the check is enforced: the pre-commit hooks, the server-side hooks and the GitHub
Action."""
