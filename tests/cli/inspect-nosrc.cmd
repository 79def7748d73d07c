crit inspect
