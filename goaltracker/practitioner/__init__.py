"""The practitioner part of the service."""
