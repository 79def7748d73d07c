crit info extras/ipcns-msg-11.img
