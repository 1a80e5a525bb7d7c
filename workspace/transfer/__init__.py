"""Export a conversation (Markdown or our versioned JSON, one branch or the whole tree) and import
conversations (our JSON, or ChatGPT's ``conversations.json``) into a workspace."""
