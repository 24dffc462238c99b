"""`python -m generator` runs the `intranet` command."""

import sys

from generator.cli import main

sys.exit(main())
