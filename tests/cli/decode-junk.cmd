printf "JUNKJUNK" | crit decode
