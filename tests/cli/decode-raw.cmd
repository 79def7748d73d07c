crit decode -i demo/pages-1.img
