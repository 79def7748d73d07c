crit info demo/pages-1.img
