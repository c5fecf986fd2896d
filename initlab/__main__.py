"""`python -m initlab` is the same as the `initlab` console script."""

import sys

from initlab.cli import main

sys.exit(main())
