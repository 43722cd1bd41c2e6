"""A child's record: goals, ratings, reviews and notes, for the family and their practitioners."""
