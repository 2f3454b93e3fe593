"""Per-stage benchmarks: extraction against the rate budget, load against governance."""
