"""procsim-bench scenarios: one module per scenario family, each registering
its scenarios with @scenario from bench.common."""
