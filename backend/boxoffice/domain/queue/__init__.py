"""The waiting room of a hot on-sale: a fair line per event in Redis, admission at a set rate."""
