crit decode --pretty -i demo/pstree.img | crit decode
