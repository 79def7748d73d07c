CRIMG_LIMITS=entry=16 crit --limit entry=1M info demo/core-101.img
