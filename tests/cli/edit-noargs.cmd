crit edit
