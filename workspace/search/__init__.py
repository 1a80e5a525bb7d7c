"""Full-text search over the conversations a member may see: titles and message text, ranked."""
