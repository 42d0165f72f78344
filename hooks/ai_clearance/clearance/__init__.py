"""The repository's policy and the decision: which findings the author's approvals or a token
clear, and which fail the check."""
