#!/usr/bin/env python
"""Django's command-line utility for ISA Portal."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isa_portal.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting missing or wrong (SECRET_KEY with DEBUG off, say): say which, in one line.
        sys.stderr.write(f"Configuration error: {error} See 'Configuration' in README.md.\n")
        sys.exit(2)
    except OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.stderr.write(f"The database could not be used: {first_line} (check DATABASE_URL).\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
