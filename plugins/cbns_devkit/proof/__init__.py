"""Proof under faults, attacks and scale: the fault matrix, expectations and benchmarks."""
