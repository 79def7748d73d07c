crit info demo/pagemap-100.img
