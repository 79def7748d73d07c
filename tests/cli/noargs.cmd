crit
