"""Builders shared by tests of several folders: documents, sandboxes, tie-out sides."""
