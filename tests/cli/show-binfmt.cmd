crit show extras/binfmt-misc.img
