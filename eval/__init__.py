"""Evaluation: what the weights add over retrieval, and how fast it all runs."""
