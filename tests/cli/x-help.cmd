crit x --help
