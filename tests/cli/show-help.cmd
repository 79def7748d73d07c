crit show --help
