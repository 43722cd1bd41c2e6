"""The family part of the service."""
