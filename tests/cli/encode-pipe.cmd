crit decode -i demo/ids-100.img | crit encode | cmp - demo/ids-100.img && echo identical
