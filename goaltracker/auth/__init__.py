"""The auth part of the service."""
