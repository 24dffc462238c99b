"""intranet: a static internal-communications generator."""

__version__ = "0.1.0"
