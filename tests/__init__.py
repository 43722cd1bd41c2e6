"""Goal Tracker's tests."""
