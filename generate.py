#!/usr/bin/env python3
"""Command line for handouts: `python generate.py --help`."""
import sys

from handouts.cli import main

if __name__ == "__main__":
    sys.exit(main())
