crit decode -i demo/pstree.img | crit info -
