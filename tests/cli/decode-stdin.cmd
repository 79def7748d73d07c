crit decode < demo/fs-100.img
