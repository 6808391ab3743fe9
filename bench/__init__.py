"""The performance benchmark: generated orgs of every size, timed phase by phase (see README.md)."""
