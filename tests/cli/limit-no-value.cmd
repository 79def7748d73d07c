crit --limit
