"""Real-browser quality gates (marked `browser`; run by `make test-browser`)."""
