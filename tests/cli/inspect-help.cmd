crit inspect --help
