"""The manager part of the service."""
