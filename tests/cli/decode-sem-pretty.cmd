crit decode --pretty -i extras/ipcns-sem-11.img
