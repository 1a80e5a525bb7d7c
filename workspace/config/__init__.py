"""What the process is configured with: settings read once from the environment, and logging."""
