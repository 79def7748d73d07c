crit show extras/tcp-stream-1773.img
