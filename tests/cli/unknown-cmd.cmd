crit frobnicate
