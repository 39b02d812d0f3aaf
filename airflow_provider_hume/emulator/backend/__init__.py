"""The HTTP-free core: settings, API keys, jobs and their clock, counters, fault decisions, callbacks."""
