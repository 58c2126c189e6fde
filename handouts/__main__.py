"""`python -m handouts`: the command line (the same as `python generate.py` in a checkout)."""
import sys

from .cli import main

sys.exit(main())
