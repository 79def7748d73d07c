crit --help
