"""The national-scale benchmark: `python -m bench` times the outcomes report and the service at
5,000, 50,000 and 500,000 children, against DuckDB on the same rows, and writes bench/RESULTS.md.
"""
