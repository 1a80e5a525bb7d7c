"""Projects: named folders that group a workspace's conversations."""
