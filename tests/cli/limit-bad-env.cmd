CRIMG_LIMITS=nosuch=1 crit info demo/core-101.img
