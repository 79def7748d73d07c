crit encode --help
