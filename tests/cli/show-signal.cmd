crit show extras/signal-s-100.img
