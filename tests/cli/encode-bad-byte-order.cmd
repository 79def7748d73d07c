crit encode --byte-order middle
