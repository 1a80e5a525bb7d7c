"""Money: platform credits (ledger and holds), plans, budgets and the usage ledger."""
