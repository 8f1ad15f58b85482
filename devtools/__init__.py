"""Developer tools for modelwire (not shipped): demo, contract scenarios, cassette recording."""
