/*
 * The workload of tests/t-check-live.sh: a process for CRIU to dump, which
 * holds what the faults need and then counts, once a second, forever.
 *   -f FILE  keep FILE open read-only (read a few bytes of it)
 *   -e PORT  an established TCP connection on 127.0.0.1:PORT (both ends here)
 *   -C DIR   chdir to DIR once everything is open
 * Writes its PID to ./ready (in the starting directory) when it is set up.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	const char *file = NULL, *dir = NULL;
	int port = 0, o;
	while ((o = getopt(argc, argv, "f:e:C:")) != -1) {
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
