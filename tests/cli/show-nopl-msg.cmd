crit show --nopl extras/ipcns-msg-11.img
