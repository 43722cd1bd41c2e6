"""Files the service writes that hold personal data: readable by the service's own user only."""

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """Make the folder if needed, readable and writable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(PRIVATE_FOLDER)
    return path


def private_file(path: Path) -> Path:
    """Create an empty file readable and writable by its owner only, or tighten an existing one.

    SQLite gives its journal and write-ahead files the database file's permissions, so a
    database created this way keeps them private too.
    """
    if path.exists():
        path.chmod(PRIVATE_FILE)
    else:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        os.close(descriptor)
    return path


def write_private(path: Path, content: bytes) -> None:
    """Write bytes to a new file that only its owner can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
