"""The main part of the service."""
