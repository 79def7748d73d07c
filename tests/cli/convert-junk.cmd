crit convert demo/pages-1.img x
