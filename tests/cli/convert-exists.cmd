crit convert demo demo
