"""Failed sign-in attempts, counted per account and per address, so guessing is slow.

Only failures count: an office where everyone signs in from one address is never locked out by
its own people signing in. Attempts are counted per email address typed (whether or not it has
an account, so the wait says nothing about which addresses exist) and per client address, in a
moving window kept in the rate limiter's storage (memory, or Redis for several processes).
"""

import math
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import ngettext
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from goaltracker.extensions import limiter


@dataclass(frozen=True)
class Wait:
    """How long someone must wait before trying again, in whole minutes (at least one)."""

    seconds: int

    @property
    def minutes(self) -> int:
        """Return the wait rounded up to whole minutes."""
        return max(1, math.ceil(self.seconds / 60))

    def message(self) -> str:
        """Return the wait in plain words."""
        return ngettext(
            "Too many attempts that did not work. Wait %(num)d minute, then try again",
            "Too many attempts that did not work. Wait %(num)d minutes, then try again",
            self.minutes,
        )


def _strategy() -> MovingWindowRateLimiter:
    """Return a moving-window counter over the limiter's storage."""
    return MovingWindowRateLimiter(limiter.storage)


def _limits() -> list[tuple[object, str]]:
    """Return each limit with the name of what it counts."""
    config = current_app.config
    return [
        (parse(config["SIGN_IN_FAILURES_PER_ACCOUNT"]), "account"),
        (parse(config["SIGN_IN_FAILURES_PER_ADDRESS"]), "address"),
    ]


def _identifiers(kind: str, email: str) -> tuple[str, ...]:
    """Return the storage key parts for one kind of count."""
    if kind == "account":
        return ("sign-in-failures", "account", email.strip().lower()[:254])
    return ("sign-in-failures", "address", request.remote_addr or "unknown")


def wait_before_trying(email: str) -> Wait | None:
    """Return how long to wait when the account or the address has failed too often, else None."""
    strategy = _strategy()
    longest = 0
    for item, kind in _limits():
        identifiers = _identifiers(kind, email)
        if not strategy.test(item, *identifiers):
            reset_at, _remaining = strategy.get_window_stats(item, *identifiers)
            longest = max(longest, int(reset_at - time.time()) + 1)
    return Wait(longest) if longest else None


def failed(email: str) -> None:
    """Count a failed attempt against the account and the address."""
    strategy = _strategy()
    for item, kind in _limits():
        strategy.hit(item, *_identifiers(kind, email))
