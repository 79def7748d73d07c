crit info demo/pstree.img
