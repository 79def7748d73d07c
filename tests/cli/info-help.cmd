crit info -h
