crit info no-such.img
