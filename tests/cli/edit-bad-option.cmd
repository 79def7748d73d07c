crit edit --editor vi x.img
