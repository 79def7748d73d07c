crit --version
