"""Print the PostgreSQL URL the suite should also run against, or nothing when none answers.

TEST_DATABASE_URL wins and must answer; otherwise the local server's database `test` is tried.
"""

import os
import sys

LOCAL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def reachable(url: str) -> bool:
    """Return whether a PostgreSQL server answers at the URL."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(plain, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def main() -> int:
    """Print the URL to use, or nothing; fail when an explicit URL does not answer."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        if not reachable(explicit):
            print(f"TEST_DATABASE_URL is set but does not answer: {explicit}", file=sys.stderr)
            return 1
        print(explicit)
    elif reachable(LOCAL_DEFAULT):
        print(LOCAL_DEFAULT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
