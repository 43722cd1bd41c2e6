"""The area's public outcomes page: protected figures for families, without signing in."""
