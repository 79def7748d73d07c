crit convert
