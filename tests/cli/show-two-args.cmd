crit show demo/pstree.img demo/mm-100.img
