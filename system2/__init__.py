"""System 2: the deliberate reasoner. Answers from the message, the memories and System 1's provocation."""
