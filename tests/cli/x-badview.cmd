crit x demo bogus
