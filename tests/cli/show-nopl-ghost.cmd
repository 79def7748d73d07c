crit show --nopl extras/ghost-file-2.img
