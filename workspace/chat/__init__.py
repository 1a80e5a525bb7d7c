"""Conversations as message trees: branches, model switching mid-conversation, compare."""
