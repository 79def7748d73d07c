/*
 * The workload of tests/t-check-live.sh: a process for CRIU to dump, which
 * holds what the faults need and then counts, once a second, forever.
 *   -f FILE  keep FILE open read-only (read a few bytes of it)
 *   -e PORT  an established TCP connection on 127.0.0.1:PORT (both ends here)
 *   -C DIR   chdir to DIR once everything is open
 *   -L       take an OFD read lock on FILE (dumped with --file-locks)
 *   -U       unlink FILE once open (CRIU saves it as a ghost file)
 *   -H N     also hold FILE open as descriptor N (a high one)
 *   -u PATH  a unix datagram socket connected to PATH (bound by another)
 *   -B PATH  only bind a unix datagram socket at PATH, then wait (prints
 *            "bound"): the peer outside the dumped tree
 *   -P PORT  only listen on 127.0.0.1:PORT, then wait (prints "listening"):
 *            the process that takes the port of a restore
 *   -W FILE  only hold a POSIX write lock on FILE, then wait: the other
 *            process of the lock conflict (writes no ready file; prints
 *            "locked" on stdout once it holds the lock)
 * Writes its PID to ./ready (in the starting directory) when it is set up.
 */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int tcp_pair(int port)
{
	struct sockaddr_in a;
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
		return -1;
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return -1;
	if (write(c, "abc", 3) != 3 || write(s, "xyz", 3) != 3)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *dir = NULL, *upeer = NULL;
	int port = 0, lock = 0, unlink_it = 0, high = -1, o;
	while ((o = getopt(argc, argv, "f:e:C:LUW:P:H:u:B:")) != -1) {
		switch (o) {
		case 'f':
			file = optarg;
			break;
		case 'e':
			port = atoi(optarg);
			break;
		case 'C':
			dir = optarg;
			break;
		case 'L':
			lock = 1;
			break;
		case 'U':
			unlink_it = 1;
			break;
		case 'H':
			high = atoi(optarg);
			break;
		case 'u':
			upeer = optarg;
			break;
		case 'B': {
			struct sockaddr_un a = { .sun_family = AF_UNIX };
			int u = socket(AF_UNIX, SOCK_DGRAM, 0);
			snprintf(a.sun_path, sizeof(a.sun_path), "%s", optarg);
			if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) < 0) {
				perror("bind");
				return 1;
			}
			printf("bound\n");
			fflush(stdout);
			for (;;)
				pause();
		}
		case 'P': {
			struct sockaddr_in a;
			int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
			memset(&a, 0, sizeof(a));
			a.sin_family = AF_INET;
			a.sin_port = htons((unsigned short)atoi(optarg));
			a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
			    listen(l, 1) < 0) {
				perror("listen");
				return 1;
			}
			printf("listening\n");
			fflush(stdout);
			for (;;)
				pause();
		}
		case 'W': {
			struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
			int wfd = open(optarg, O_RDWR);
			if (wfd < 0 || fcntl(wfd, F_SETLK, &fl) < 0) {
				perror(optarg);
				return 1;
			}
			printf("locked\n");
			fflush(stdout);
			for (;;)
				pause();
		}
		default:
			return 2;
		}
	}
	char buf[8];
	int fd = -1;
	if (file && ((fd = open(file, O_RDONLY)) < 0 || read(fd, buf, 4) < 0)) {
		perror(file);
		return 1;
	}
	if (high > 2 && fd >= 0 && dup2(fd, high) < 0) {
		perror("dup2");
		return 1;
	}
	if (unlink_it && fd >= 0 && unlink(file) < 0) {
		perror("unlink");
		return 1;
	}
	if (lock && fd >= 0) {
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
		if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
			perror("lock");
			return 1;
		}
	}
	if (upeer) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int u = socket(AF_UNIX, SOCK_DGRAM, 0);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", upeer);
		if (u < 0 || connect(u, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror(upeer);
			return 1;
		}
	}
	if (port && tcp_pair(port) < 0) {
		perror("tcp");
		return 1;
	}
	/* ready is written once the cwd is where it will stay */
	int top = open(".", O_RDONLY | O_DIRECTORY);
	if (top < 0 || (dir && chdir(dir) < 0)) {
		perror(dir ? dir : ".");
		return 1;
	}
	int rf = openat(top, "ready.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (rf < 0 || dprintf(rf, "%d\n", (int)getpid()) < 0 || close(rf) != 0 ||
	    renameat(top, "ready.tmp", top, "ready") != 0)
		return 1;
	close(top);
	for (;;)
		sleep(1);
}
