"""The developer kit: sandboxes, demo, fault matrix, benchmarks. The connector never imports it."""
