"""Tools for developers and the benchmark (synthetic areas), never imported by a request."""
