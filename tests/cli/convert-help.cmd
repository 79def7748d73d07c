crit convert --help
