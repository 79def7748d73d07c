crit --limit entry=16 decode -i demo/core-101.img > /dev/null
