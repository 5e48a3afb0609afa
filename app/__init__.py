"""A cited, plain-language explainer on immigration enforcement and Los Angeles policy."""
