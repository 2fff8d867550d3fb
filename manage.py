#!/usr/bin/env python
"""Django's manage.py; the installed `bangfu` command is the same entry point."""

from bangfu.cli import main

if __name__ == "__main__":
    main()
