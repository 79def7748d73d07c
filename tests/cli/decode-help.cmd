crit decode --help
