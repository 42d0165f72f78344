"""Signed records (approvals, revocations, override tokens), their SSH signatures, and the
trusted files and commits they are read from."""
