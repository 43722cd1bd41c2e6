"""Uploaded files waiting to be imported: saved privately as they arrive, never kept long."""

import time
from pathlib import Path
from typing import IO

from goaltracker import files

CHUNK_BYTES = 1024 * 1024
# A checked file that is neither imported nor abandoned explicitly is removed after this.
KEPT_SECONDS = 24 * 60 * 60


def save(stream: IO[bytes], path: Path, max_bytes: int) -> bool:
    """Copy an upload to a private file a chunk at a time; return False (and keep nothing) when
    it is larger than `max_bytes`."""
    written = 0
    files.private_file(path)
    with open(path, "wb") as target:
        while chunk := stream.read(CHUNK_BYTES):
            written += len(chunk)
            if written > max_bytes:
                break
            target.write(chunk)
    if written > max_bytes:
        path.unlink(missing_ok=True)
        return False
    return True


def remove_stale(folder: Path, kept_seconds: int = KEPT_SECONDS) -> int:
    """Delete uploads older than a day (checked but never imported); return how many."""
    cutoff = time.time() - kept_seconds
    removed = 0
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
