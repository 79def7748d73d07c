crit show --nopl extras/pipes-data.img
