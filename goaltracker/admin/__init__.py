"""The admin part of the service."""
