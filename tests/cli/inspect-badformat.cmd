crit inspect --format yaml demo
