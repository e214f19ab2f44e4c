"""The wiki: markdown nodes, proposals and their review."""
