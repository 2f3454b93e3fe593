"""Chargebee webhook receiver: a FastAPI app that records event ids in the staging inbox."""
