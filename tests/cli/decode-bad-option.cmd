crit decode --prety -i demo/pstree.img
