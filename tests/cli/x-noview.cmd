crit x demo
