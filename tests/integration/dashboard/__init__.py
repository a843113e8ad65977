"""The coordinators' dashboard."""
