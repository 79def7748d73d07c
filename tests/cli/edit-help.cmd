crit edit --help
