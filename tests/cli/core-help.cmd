crit core --help
