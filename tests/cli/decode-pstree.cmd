crit decode -i demo/pstree.img
