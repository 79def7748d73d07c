crit x demo ps
