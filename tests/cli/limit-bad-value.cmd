crit --limit entry=1X info demo/core-101.img
