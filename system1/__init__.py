"""System 1: the lizard brain. A LoRA adapter on the base, fast and associative."""
