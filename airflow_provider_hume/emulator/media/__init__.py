"""Media intake: batch limits, fetching URLs, spooling and unpacking inputs, and probing what they are."""
