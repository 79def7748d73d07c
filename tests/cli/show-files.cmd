crit show demo/files.img
