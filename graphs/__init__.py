"""The LangGraph graphs (turn, and later sleep and wiki) and the agent that wires them."""
