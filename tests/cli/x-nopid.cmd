crit x demo fds --pid 7
