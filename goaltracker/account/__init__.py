"""Everyone's own account page: password, sessions and second factor."""
