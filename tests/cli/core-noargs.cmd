crit core
