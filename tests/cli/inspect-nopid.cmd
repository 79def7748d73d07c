crit inspect --pid 7 demo
