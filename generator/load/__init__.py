"""Disk → model: the only code that reads content/."""
