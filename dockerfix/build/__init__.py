"""Real image builds: run a builder, snapshot images, compare them."""
