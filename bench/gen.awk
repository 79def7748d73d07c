# bench/gen.awk: deterministic JSON for large CRIU images, written exactly in
# the layout `crit decode` (compact) prints, so that encode + decode must give
# the same bytes back.  Works with mawk and gawk.  mawk's %d stops at 2^31-1,
# so every integer goes through %.0f (exact up to 2^53; all values stay below).
#
#   awk -v kind=pagemap -v n=N [-v seed=S] -f gen.awk            > x.json
#   awk -v kind=mm      -v n=N [-v seed=S] -f gen.awk            > x.json
#   awk -v kind=files   -v n=N -f gen.awk                        > x.json
#   awk -v kind=fdinfo  -v n=N -f gen.awk                        > x.json
#   awk -v kind=ckpt    -v n=PROCS -v dir=D -v tmpl=T -f gen.awk  (writes D/*.json)
#
# kind=ckpt reads T/core.json and T/inventory.json (one line each) and writes
# D/NAME.json for pstree.img, files.img, inventory.img and, per process,
# core-PID, ids-PID, fs-PID, mm-PID, pagemap-PID and fdinfo-FILESID; it prints
# one line "NAME.img ENTRIES PROC VMAS" per image (PROC = process index or -1,
# VMAS = number of vmas for mm images, else "-").

function num(x) { return sprintf("%.0f", x) }

# ---- pagemap: head, then n entries at increasing, page-aligned addresses ----
function pagemap(n, seed, out,    i, va, np, fl, s) {
	FL[0] = 6; FL[1] = 6; FL[2] = 4; FL[3] = 6; FL[4] = 2; FL[5] = 6; FL[6] = 1
	va = 139637976727552 + (seed % 1024) * 4294967296    # 0x7f0000000000 + seed*4G
	printf "{\"magic\": \"PAGEMAP\", \"entries\": [{\"pages_id\": %s}", num(1 + seed % 7) > out
	for (i = 0; i < n; i++) {
		np = 1 + (i * 37 + seed) % 64
		fl = FL[(i + seed) % 7]
		printf ", {\"vaddr\": %s, \"compat_nr_pages\": 0, \"flags\": %d, \"nr_pages\": %d}", \
			num(va), fl, np > out
		va += (np + 1 + (i * 13) % 5) * 4096
	}
	printf "]}" > out
	return n + 1
}

# ---- mm: one mm_entry with n vmas shaped like a real process's ----
function vma(start, end, i, seed,    k, s) {
	k = (i + seed) % 8
	if (k <= 2)       # file mapping (text/rodata/data of a library)
		s = sprintf("{\"start\": %s, \"end\": %s, \"pgoff\": %s, \"shmid\": %d, \"prot\": %d, \"flags\": 2, \"status\": 65, \"fd\": -1, \"fdflags\": 0}", \
			num(start), num(end), num(((i * 3) % 50) * 4096), 1 + int(i / 4) % 1000, (k == 0) ? 5 : (k == 1 ? 1 : 3))
	else if (k <= 5)  # anonymous private
		s = sprintf("{\"start\": %s, \"end\": %s, \"pgoff\": 0, \"shmid\": 0, \"prot\": %d, \"flags\": 34, \"status\": %d, \"fd\": -1}", \
			num(start), num(end), (k == 5) ? 0 : 3, (k == 3) ? 545 : 513)
	else if (k == 6)  # shared anonymous
		s = sprintf("{\"start\": %s, \"end\": %s, \"pgoff\": 0, \"shmid\": %d, \"prot\": 3, \"flags\": 33, \"status\": 1025, \"fd\": -1}", \
			num(start), num(end), 100000 + i)
	else              # stack-like (MAP_GROWSDOWN)
		s = sprintf("{\"start\": %s, \"end\": %s, \"pgoff\": 0, \"shmid\": 0, \"prot\": 3, \"flags\": 290, \"status\": 513, \"fd\": -1}", \
			num(start), num(end))
	return s
}

function mm(n, seed, out,    i, va, len, base) {
	base = 94652679151616 + (seed % 4096) * 1073741824
	printf "{\"magic\": \"MM\", \"entries\": [{\"mm_start_code\": %s, \"mm_end_code\": %s, \"mm_start_data\": %s, \"mm_end_data\": %s, \"mm_start_stack\": 140728742222896, \"mm_start_brk\": %s, \"mm_brk\": %s, \"mm_arg_start\": 140728742227826, \"mm_arg_end\": 140728742227840, \"mm_env_start\": 140728742227840, \"mm_env_end\": 140728742227945, \"exe_file_id\": 1, \"mm_saved_auxv\": [33, 139776764792832, 51, 1776, 16, 395049983, 6, 4096, 17, 100, 3, %s, 4, 56, 5, 13, 7, 139776764801024, 8, 0, 9, %s, 11, 0, 12, 0, 13, 0, 14, 0, 23, 0, 25, 140728742223337, 26, 2, 31, 140728742227945, 15, 140728742223353, 27, 28, 28, 32], \"vmas\": [", \
		num(base + 8192), num(base + 26121), num(base + 40208), num(base + 41472), \
		num(base + 462610432), num(base + 462745600), num(base + 64), num(base + 9728) > out
	va = base
	for (i = 0; i < n; i++) {
		len = (1 + (i * 7 + seed) % 16) * 4096
		printf "%s%s", (i ? ", " : ""), vma(va, va + len, i, seed) > out
		va += len + ((i % 3) ? 0 : 4096)
	}
	printf "], \"dumpable\": 1, \"thp_disabled\": false}]}" > out
	return 1
}

# ---- files.img: REG / PIPE / UNIXSK / INETSK, type chosen by id ----
function ftype(id,    k) {
	k = id % 10
	return (k <= 3) ? "REG" : (k <= 5) ? "PIPE" : (k <= 7) ? "UNIXSK" : "INETSK"
}

function fown() { return "\"fown\": {\"uid\": 0, \"euid\": 0, \"signum\": 0, \"pid_type\": 0, \"pid\": 0}" }

function fentry(id,    t, s, k) {
	t = ftype(id)
	if (t == "REG") {
		k = id % 40
		if (k == 0)
			s = sprintf("\"reg\": {\"id\": %s, \"flags\": 0, \"pos\": 0, %s, \"name\": \"/usr/lib/x86_64-linux-gnu/libbench%s.so.6\", \"size\": %s, \"mode\": 33261, \"build_id\": [%s, %s, %s, %s, %s]}", \
				num(id), fown(), num(id), num(100000 + (id * 7919) % 2000000), \
				num((id * 2654435761) % 4294967296), num((id * 40503) % 4294967296), \
				num((id * 97 + 12345) % 4294967296), num((id * 65537) % 4294967296), num(id % 4294967296))
		else if (k == 1)
			s = sprintf("\"reg\": {\"id\": %s, \"flags\": 32768, \"pos\": 0, %s, \"name\": \"/dev/null\", \"mode\": 8630}", num(id), fown())
		else
			s = sprintf("\"reg\": {\"id\": %s, \"flags\": %d, \"pos\": %s, %s, \"name\": \"/var/lib/bench/d%d/file-%s.dat\", \"size\": %s, \"mode\": 33188}", \
				num(id), (k % 3 == 0) ? 32769 : 32768, num((id * 131) % 65536), fown(), id % 97, num(id), num((id * 977) % 10000000))
	} else if (t == "PIPE") {
		s = sprintf("\"pipe\": {\"id\": %s, \"pipe_id\": %s, \"flags\": %d, %s}", \
			num(id), num(80000 + int(id / 2)), id % 2, fown())
	} else if (t == "UNIXSK") {
		s = sprintf("\"usk\": {\"id\": %s, \"ino\": %s, \"type\": %d, \"state\": %d, \"flags\": 2, \"uflags\": 0, \"backlog\": %d, \"peer\": %s, %s, \"opts\": {\"so_sndbuf\": 212992, \"so_rcvbuf\": 212992, \"so_snd_tmo_sec\": 0, \"so_snd_tmo_usec\": 0, \"so_rcv_tmo_sec\": 0, \"so_rcv_tmo_usec\": 0, \"reuseaddr\": false, \"so_priority\": 0, \"so_rcvlowat\": 1, \"so_passcred\": false, \"so_passsec\": false, \"so_dontroute\": false, \"so_no_check\": false, \"so_reuseport\": false, \"so_broadcast\": false, \"so_keepalive\": false, \"so_oobinline\": 0, \"so_buf_lock\": 0}, \"name\": \"%s\", \"ns_id\": 2}", \
			num(id), num(1000000 + id), (id % 20 == 6) ? 5 : 1, (id % 20 == 6) ? 10 : 1, \
			(id % 20 == 6) ? 128 : 0, (id % 20 == 6) ? "0" : num(1000000 + id + 1), fown(), \
			(id % 20 == 6) ? USKNAME[int(id / 20) % 4] : "")
	} else {
		s = sprintf("\"isk\": {\"id\": %s, \"ino\": %s, \"family\": 2, \"type\": 1, \"proto\": 6, \"state\": 10, \"src_port\": %d, \"dst_port\": 0, \"flags\": 2, \"backlog\": %d, \"src_addr\": [16777343], \"dst_addr\": [0], %s, \"opts\": {\"so_sndbuf\": 16384, \"so_rcvbuf\": 131072, \"so_snd_tmo_sec\": 0, \"so_snd_tmo_usec\": 0, \"so_rcv_tmo_sec\": 0, \"so_rcv_tmo_usec\": 0, \"reuseaddr\": true, \"so_priority\": 0, \"so_rcvlowat\": 1, \"so_dontroute\": false, \"so_no_check\": false, \"so_reuseport\": false, \"so_broadcast\": false, \"so_keepalive\": false, \"so_oobinline\": 0, \"so_buf_lock\": 0}, \"ip_opts\": {\"ttl\": 64}, \"ns_id\": 2, \"tcp_opts\": {\"keepcnt\": 9, \"keepidle\": 7200, \"keepintvl\": 75}}", \
			num(id), num(2000000 + id), 1024 + id % 60000, 1 + id % 128, fown())
	}
	return sprintf("{\"type\": \"%s\", \"id\": %s, %s}", t, num(id), s)
}

# files.img with ids 1..n
function files(n, out,    i) {
	printf "{\"magic\": \"FILES\", \"entries\": [" > out
	for (i = 1; i <= n; i++)
		printf "%s%s", (i > 1 ? ", " : ""), fentry(i) > out
	printf "]}" > out
	return n
}

# fdinfo: n descriptors 0..n-1 pointing at files ids first+0 .. first+n-1
function fdinfo(n, first, out,    i, id) {
	printf "{\"magic\": \"FDINFO\", \"entries\": [" > out
	for (i = 0; i < n; i++) {
		id = first + i
		printf "%s{\"id\": %s, \"flags\": %d, \"type\": \"%s\", \"fd\": %s}", \
			(i ? ", " : ""), num(id), (i % 3 == 1) ? 1 : 0, ftype(id), num(i) > out
	}
	printf "]}" > out
	return n
}

function readline(f,    l) {
	if ((getline l < f) <= 0) { print "gen.awk: cannot read " f > "/dev/stderr"; exit 2 }
	close(f)
	return l
}

function emit(name, cnt, proc, vmas) {
	close(dir "/" name ".json")
	print name ".img", cnt, proc, (vmas == "" ? "-" : vmas)
}

# ---- a fake checkpoint of n processes ----
function ckpt(n,    core, inv, i, pid, ppid, f, nfd, first, cnt, c, fid, nf) {
	core = readline(tmpl "/core.json")
	inv = readline(tmpl "/inventory.json")

	# pstree: a 4-ary tree, pids 1000, 1003, 1006, ... (a gap, like real pids)
	f = dir "/pstree.json"
	printf "{\"magic\": \"PSTREE\", \"entries\": [" > f
	for (i = 0; i < n; i++) {
		pid = 1000 + 3 * i
		ppid = i ? 1000 + 3 * int((i - 1) / 4) : 0
		printf "%s{\"pid\": %s, \"ppid\": %s, \"pgid\": 1000, \"sid\": 1000, \"threads\": [%s]}", \
			(i ? ", " : ""), num(pid), num(ppid), num(pid) > f
	}
	printf "]}" > f
	emit("pstree", n, -1)

	f = dir "/inventory.json"
	printf "%s", inv > f
	emit("inventory", 1, -1)

	# files: ids 1..10 are shared (stdio etc.); each process gets 2..9 own files
	fid = 11
	for (i = 0; i < n; i++) {
		pid = 1000 + 3 * i
		nfd = 2 + (i * 5) % 8

		c = core
		gsub(/crimg-child1/, sprintf("bench-%d", i), c)
		f = dir "/core-" pid ".json"; printf "%s", c > f; emit("core-" pid, 1, i)

		f = dir "/ids-" pid ".json"
		printf "{\"magic\": \"IDS\", \"entries\": [{\"vm_id\": %s, \"files_id\": %s, \"fs_id\": %s, \"sighand_id\": %s, \"pid_ns_id\": 1, \"net_ns_id\": 2, \"ipc_ns_id\": 3, \"uts_ns_id\": 4, \"mnt_ns_id\": 6, \"user_ns_id\": 7, \"cgroup_ns_id\": 8, \"time_ns_id\": 5}]}", \
			num(10 + 4 * i), num(i + 1), num(12 + 4 * i), num(13 + 4 * i) > f
		emit("ids-" pid, 1, i)

		f = dir "/fs-" pid ".json"
		printf "{\"magic\": \"FS\", \"entries\": [{\"cwd_id\": 1, \"root_id\": 1, \"umask\": 18}]}" > f
		emit("fs-" pid, 1, i)

		f = dir "/mm-" pid ".json"; c = 30 + (i * 7) % 60; mm(c, i, f); emit("mm-" pid, 1, i, c)
		f = dir "/pagemap-" pid ".json"
		cnt = pagemap(20 + (i * 13) % 200, i, f); emit("pagemap-" pid, cnt, i)

		# fdinfo: fds 0..2 on shared ids 2,3,3; then this process's own ids
		f = dir "/fdinfo-" (i + 1) ".json"
		printf "{\"magic\": \"FDINFO\", \"entries\": [{\"id\": 2, \"flags\": 0, \"type\": \"REG\", \"fd\": 0}, {\"id\": 3, \"flags\": 0, \"type\": \"REG\", \"fd\": 1}, {\"id\": 3, \"flags\": 0, \"type\": \"REG\", \"fd\": 2}" > f
		for (c = 0; c < nfd; c++)
			printf ", {\"id\": %s, \"flags\": %d, \"type\": \"%s\", \"fd\": %d}", num(fid + c), c % 2, ftype(fid + c), 3 + c > f
		printf "]}" > f
		emit("fdinfo-" (i + 1), 3 + nfd, i)
		fid += nfd
	}

	f = dir "/files.json"
	nf = fid - 1
	printf "{\"magic\": \"FILES\", \"entries\": [{\"type\": \"REG\", \"id\": 1, \"reg\": {\"id\": 1, \"flags\": 65536, \"pos\": 0, %s, \"name\": \"/\", \"mode\": 16877}}", fown() > f
	for (i = 2; i <= nf; i++)
		printf ", %s", (i <= 3) ? sprintf("{\"type\": \"REG\", \"id\": %d, \"reg\": {\"id\": %d, \"flags\": 32769, \"pos\": 0, %s, \"name\": \"/var/log/bench.log\", \"size\": 0, \"mode\": 33188}}", i, i, fown()) : fentry(i) > f
	printf "]}" > f
	emit("files", nf, -1)
}

BEGIN {
	# unix socket names (usk "name" is a "unix_name" field: plain text in JSON)
	USKNAME[0] = "/run/bench/a.sock"
	USKNAME[1] = "/run/bench/b.sock"
	USKNAME[2] = "/tmp/.X11-unix/X0"
	USKNAME[3] = "/var/run/dbus/system_bus_socket"
	seed += 0; n += 0
	if (kind == "pagemap")     pagemap(n, seed, "/dev/stdout")
	else if (kind == "mm")     mm(n, seed, "/dev/stdout")
	else if (kind == "files")  files(n, "/dev/stdout")
	else if (kind == "fdinfo") fdinfo(n, 1, "/dev/stdout")
	else if (kind == "ckpt")   ckpt(n)
	else { print "gen.awk: unknown kind '" kind "'" > "/dev/stderr"; exit 2 }
	exit 0
}
