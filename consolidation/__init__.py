"""Sleep's parts: collect, curate, augment, dataset and replay, train, self-test, merge, briefing."""
