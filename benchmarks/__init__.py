"""Scale benchmarks: generate a large registry and measure the paths that must stay fast."""
