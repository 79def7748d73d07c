/* The JSON reader behind `crit encode`: strict JSON, streamed from an fd. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json/text_parser.h"

void jp_init(struct jparser *p, int fd, const char *name, struct crimg_arena *arena,
	     unsigned max_depth, struct crimg_error *err)
{
	memset(p, 0, sizeof(*p));
	crimg_input_init_fd(&p->in, fd, name);
	p->line = 1;
	p->line_start = 0;
	p->arena = arena;
	p->max_depth = max_depth < CRIMG_MAX_DEPTH_CAP ? max_depth : CRIMG_MAX_DEPTH_CAP;
	p->err = err;
}

void jp_release(struct jparser *p)
{
	crimg_input_release(&p->in);
}

static int vfail(struct jparser *p, int line, int col, const char *fmt, va_list ap)
{
	struct crimg_error *e = p->err;
	if (!e)
		return -1;
	crimg_error_clear(e);
	snprintf(e->file, sizeof(e->file), "%s", p->in.name ? p->in.name : "json");
	e->line = line;
	e->column = col;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

static int cur_col(const struct jparser *p)
{
	return (int)(p->in.pos - p->line_start) + 1;
}

int jp_fail(struct jparser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, p->line, cur_col(p), fmt, ap);
	va_end(ap);
	return -1;
}

int jp_fail_at(struct jparser *p, const struct jnode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, n ? n->line : p->line, n ? n->col : cur_col(p), fmt, ap);
	va_end(ap);
	return -1;
}

/* The next byte, or -1 at end of input, -2 on a read error. */
static int peekc(struct jparser *p)
{
	if (crimg_input_avail(&p->in) == 0) {
		int k = crimg_input_need(&p->in, 1, p->err);
		if (k < 0)
			return -2;
		if (k == 0)
			return -1;
	}
	return *crimg_input_ptr(&p->in);
}

/* Takes one byte that is not a newline (those only occur in blanks). */
static inline void takec(struct jparser *p)
{
	crimg_input_skip(&p->in, 1);
}

int jp_peek_slow(struct jparser *p)
{
	for (;;) {
		const uint8_t *s = crimg_input_ptr(&p->in);
		size_t avail = crimg_input_avail(&p->in), k = 0;
		while (k < avail) {
			uint8_t c = s[k];
			if (c == ' ' || c == '\t' || c == '\r') {
				k++;
			} else if (c == '\n') {
				k++;
				p->line++;
				p->line_start = p->in.pos + k;
			} else {
				crimg_input_skip(&p->in, k);
				return c;
			}
		}
		crimg_input_skip(&p->in, k);
		int c = peekc(p);
		if (c < 0)
			return c;
	}
}

static const char *describe(int c, char *buf, size_t n)
{
	if (c == -1)
		return "end of input";
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", c);
	return buf;
}

int jp_expect_slow(struct jparser *p, char want, const char *what)
{
	int c = jp_peek(p);
	if (c == -2)
		return -1;
	if (c != want) {
		char b[16];
		return jp_fail(p, "expected %s, found %s", what, describe(c, b, sizeof(b)));
	}
	takec(p);
	return 0;
}

static struct jnode *new_node(struct jparser *p, enum jtype t)
{
	struct jnode *n = crimg_arena_alloc(p->arena, sizeof(*n));
	if (!n) {
		jp_fail(p, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->t = (unsigned char)t;
	n->line = p->line;
	n->col = cur_col(p);
	return n;
}

/* A growable byte buffer in the arena (old copies are simply abandoned). */
struct sbuf {
	char *p;
	size_t len, cap;
};

static int sb_put(struct jparser *p, struct sbuf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = crimg_arena_alloc(p->arena, cap);
		if (!np)
			return jp_fail(p, "out of memory");
		if (b->len)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int hex4(struct jparser *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int c = peekc(p);
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return jp_fail(p, "invalid \\u escape");
		v = v << 4 | (unsigned)d;
		takec(p);
	}
	*out = v;
	return 0;
}

static int put_utf8(struct jparser *p, struct sbuf *b, unsigned cp)
{
	char u[4];
	return sb_put(p, b, u, crimg_utf8_put(cp, u));
}

/* Reads the string at the input (after its opening quote is checked) into
 * n, its bytes in the arena.  0 or -1. */
static int string_into(struct jparser *p, struct jnode *n)
{
	takec(p);
	/* fast path: the whole string is buffered and has no escapes */
	{
		const uint8_t *s = crimg_input_ptr(&p->in);
		size_t avail = crimg_input_avail(&p->in), k = 0;
		while (k < avail && s[k] != '"' && s[k] != '\\' && s[k] >= 0x20)
			k++;
		if (k < avail && s[k] == '"') {
			char *d = crimg_arena_alloc(p->arena, k + 1);
			if (!d) {
				jp_fail(p, "out of memory");
				return -1;
			}
			memcpy(d, s, k);
			d[k] = '\0';
			crimg_input_skip(&p->in, k + 1);
			n->s = d;
			n->len = k;
			return 0;
		}
	}
	struct sbuf b = { 0 };
	if (sb_put(p, &b, "", 0) < 0)
		return -1;
	for (;;) {
		/* copy a run of plain bytes at once */
		size_t avail = crimg_input_avail(&p->in);
		const uint8_t *s = crimg_input_ptr(&p->in);
		size_t k = 0;
		while (k < avail && s[k] != '"' && s[k] != '\\' && s[k] >= 0x20 && s[k] != '\n')
			k++;
		if (k) {
			if (sb_put(p, &b, s, k) < 0)
				return -1;
			crimg_input_skip(&p->in, k);
			continue;
		}
		int c = peekc(p);
		if (c == -2)
			return -1;
		if (c == -1) {
			jp_fail_at(p, n, "unterminated string");
			return -1;
		}
		if (c == '"') {
			takec(p);
			break;
		}
		if (c < 0x20) {
			jp_fail(p, "invalid control character in string");
			return -1;
		}
		if (c != '\\')
			continue; /* more plain bytes arrived: copy them above */
		/* backslash */
		takec(p);
		c = peekc(p);
		if (c < 0) {
			jp_fail_at(p, n, "unterminated string");
			return -1;
		}
		takec(p);
		char e;
		switch (c) {
		case '"':
			e = '"';
			break;
		case '\\':
			e = '\\';
			break;
		case '/':
			e = '/';
			break;
		case 'b':
			e = '\b';
			break;
		case 'f':
			e = '\f';
			break;
		case 'n':
			e = '\n';
			break;
		case 'r':
			e = '\r';
			break;
		case 't':
			e = '\t';
			break;
		case 'u': {
			unsigned cp;
			if (hex4(p, &cp) < 0)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff && peekc(p) == '\\') {
				/* a surrogate pair, if a low half follows */
				takec(p);
				if (peekc(p) != 'u') {
					jp_fail(p, "invalid escape after high surrogate");
					return -1;
				}
				takec(p);
				unsigned lo;
				if (hex4(p, &lo) < 0)
					return -1;
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else {
					jp_fail(p, "invalid low surrogate \\u%04x", lo);
					return -1;
				}
			} else if (cp >= 0xdc80 && cp <= 0xdcff) {
				/* a lone low surrogate stands for a raw byte that
				 * was not UTF-8 (see jw_str) */
				char raw = (char)(cp & 0xff);
				if (sb_put(p, &b, &raw, 1) < 0)
					return -1;
				continue;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				jp_fail(p, "lone surrogate \\u%04x", cp);
				return -1;
			}
			if (put_utf8(p, &b, cp) < 0)
				return -1;
			continue;
		}
		default: {
			char d[16];
			jp_fail(p, "invalid escape \\%s", describe(c, d, sizeof(d)));
			return -1;
		}
		}
		if (sb_put(p, &b, &e, 1) < 0)
			return -1;
	}
	n->s = b.p;
	n->len = b.len;
	return 0;
}

struct jnode *jp_string(struct jparser *p)
{
	if (jp_peek(p) != '"') {
		jp_expect(p, '"', "a string");
		return NULL;
	}
	struct jnode *n = new_node(p, J_STR);
	if (!n || string_into(p, n) < 0)
		return NULL;
	return n;
}

#define NUMBER_MAX 400

/* Reads a number's text into buf (NUL-terminated, at most NUMBER_MAX
 * bytes) and checks the JSON number grammar.  0 or -1. */
static int number_into(struct jparser *p, struct jnode *n, char *buf)
{
	size_t k = 0;
	/* numbers are short: have up to NUMBER_MAX bytes at hand, then scan */
	if (crimg_input_avail(&p->in) < NUMBER_MAX &&
	    crimg_input_need(&p->in, NUMBER_MAX, p->err) < 0)
		return -1;
	const uint8_t *src = crimg_input_ptr(&p->in);
	size_t avail = crimg_input_avail(&p->in);
	while (k < avail) {
		uint8_t c = src[k];
		if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' ||
		      c == 'E'))
			break;
		if (k + 1 >= NUMBER_MAX) {
			jp_fail_at(p, n, "number too long");
			return -1;
		}
		buf[k] = (char)c;
		k++;
	}
	crimg_input_skip(&p->in, k);
	buf[k] = '\0';
	/* validate the JSON number grammar */
	size_t i = 0;
	if (buf[i] == '-')
		i++;
	if (buf[i] == '0')
		i++;
	else if (buf[i] >= '1' && buf[i] <= '9')
		while (buf[i] >= '0' && buf[i] <= '9')
			i++;
	else
		goto bad;
	if (buf[i] == '.') {
		i++;
		if (!(buf[i] >= '0' && buf[i] <= '9'))
			goto bad;
		while (buf[i] >= '0' && buf[i] <= '9')
			i++;
	}
	if (buf[i] == 'e' || buf[i] == 'E') {
		i++;
		if (buf[i] == '+' || buf[i] == '-')
			i++;
		if (!(buf[i] >= '0' && buf[i] <= '9'))
			goto bad;
		while (buf[i] >= '0' && buf[i] <= '9')
			i++;
	}
	if (buf[i])
		goto bad;
	n->s = buf;
	n->len = k;
	return 0;
bad:
	jp_fail_at(p, n, "invalid number '%s'", buf);
	return -1;
}

static struct jnode *parse_number(struct jparser *p)
{
	char buf[NUMBER_MAX];
	struct jnode *n = new_node(p, J_NUM);
	if (!n || number_into(p, n, buf) < 0)
		return NULL;
	char *s = crimg_arena_alloc(p->arena, n->len + 1);
	if (!s) {
		jp_fail(p, "out of memory");
		return NULL;
	}
	memcpy(s, buf, n->len + 1);
	n->s = s;
	return n;
}

static int literal(struct jparser *p, const char *word)
{
	for (const char *w = word; *w; w++) {
		if (peekc(p) != *w)
			return jp_fail(p, "invalid literal (expected '%s')", word);
		takec(p);
	}
	return 0;
}

static struct jnode *value_at(struct jparser *p, unsigned depth);

static struct jnode *parse_array(struct jparser *p, struct jnode *n, unsigned depth)
{
	size_t cap = 0;
	takec(p);
	if (jp_peek(p) == ']') {
		takec(p);
		return n;
	}
	for (;;) {
		struct jnode *v = value_at(p, depth + 1);
		if (!v)
			return NULL;
		if (n->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct jnode **ni = crimg_arena_alloc(p->arena, ncap * sizeof(*ni));
			if (!ni) {
				jp_fail(p, "out of memory");
				return NULL;
			}
			if (cap)
				memcpy(ni, n->items, cap * sizeof(*ni));
			n->items = ni;
			cap = ncap;
		}
		n->items[n->n++] = v;
		int c = jp_peek(p);
		if (c == ',') {
			takec(p);
			continue;
		}
		if (c == ']') {
			takec(p);
			return n;
		}
		if (c != -2)
			jp_expect(p, ']', "',' or ']' in array");
		return NULL;
	}
}

static struct jnode *parse_object(struct jparser *p, struct jnode *n, unsigned depth)
{
	size_t cap = 0;
	takec(p);
	if (jp_peek(p) == '}') {
		takec(p);
		return n;
	}
	for (;;) {
		if (jp_peek(p) != '"') {
			jp_expect(p, '"', "a member name in double quotes");
			return NULL;
		}
		struct jnode *key = jp_string(p);
		if (!key || jp_expect(p, ':', "':' after member name") < 0)
			return NULL;
		struct jnode *v = value_at(p, depth + 1);
		if (!v)
			return NULL;
		if (n->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct jmember *nm = crimg_arena_alloc(p->arena, ncap * sizeof(*nm));
			if (!nm) {
				jp_fail(p, "out of memory");
				return NULL;
			}
			if (cap)
				memcpy(nm, n->members, cap * sizeof(*nm));
			n->members = nm;
			cap = ncap;
		}
		n->members[n->n++] = (struct jmember){ key->s, key->len, v };
		int c = jp_peek(p);
		if (c == ',') {
			takec(p);
			continue;
		}
		if (c == '}') {
			takec(p);
			return n;
		}
		if (c != -2)
			jp_expect(p, '}', "',' or '}' in object");
		return NULL;
	}
}

int jp_depth_fail(struct jparser *p)
{
	return jp_fail(p, "JSON nested deeper than %u levels" CRIMG_LIMIT_HINT("depth"),
		       p->max_depth);
}

static struct jnode *value_at(struct jparser *p, unsigned depth)
{
	if (depth > p->max_depth) {
		jp_depth_fail(p);
		return NULL;
	}
	int c = jp_peek(p);
	struct jnode *n;
	switch (c) {
	case -2:
		return NULL;
	case -1:
		jp_fail(p, "unexpected end of input, expected a value");
		return NULL;
	case '{':
		n = new_node(p, J_OBJ);
		return n ? parse_object(p, n, depth) : NULL;
	case '[':
		n = new_node(p, J_ARR);
		return n ? parse_array(p, n, depth) : NULL;
	case '"':
		return jp_string(p);
	case 't':
	case 'f':
		n = new_node(p, J_BOOL);
		if (!n || literal(p, c == 't' ? "true" : "false") < 0)
			return NULL;
		n->b = c == 't';
		return n;
	case 'n':
		n = new_node(p, J_NULL);
		if (!n || literal(p, "null") < 0)
			return NULL;
		return n;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p);
		char b[16];
		jp_fail(p, "expected a value, found %s", describe(c, b, sizeof(b)));
		return NULL;
	}
}

struct jnode *jp_value(struct jparser *p)
{
	return value_at(p, p->depth + 1);
}

const struct jnode *jobj_get(const struct jnode *obj, const char *key)
{
	const struct jnode *v = NULL;
	size_t kl = strlen(key);
	/* the last of duplicate members wins, as in Python's json */
	for (size_t i = 0; i < obj->n; i++)
		if (obj->members[i].klen == kl && memcmp(obj->members[i].key, key, kl) == 0)
			v = obj->members[i].v;
	return v;
}

void jp_pos(const struct jparser *p, int *line, int *col)
{
	*line = p->line;
	*col = cur_col(p);
}

int jp_scalar(struct jparser *p, struct jnode *n, char *numbuf)
{
	int c = jp_peek(p);
	memset(n, 0, sizeof(*n));
	n->line = p->line;
	n->col = cur_col(p);
	switch (c) {
	case -2:
		return -1;
	case -1:
		return jp_fail(p, "unexpected end of input, expected a value");
	case '{':
	case '[':
		n->t = c == '{' ? J_OBJ : J_ARR;
		return 1;
	case '"':
		n->t = J_STR;
		return string_into(p, n);
	case 't':
	case 'f':
		n->t = J_BOOL;
		n->b = c == 't';
		return literal(p, c == 't' ? "true" : "false");
	case 'n':
		n->t = J_NULL;
		return literal(p, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			n->t = J_NUM;
			return number_into(p, n, numbuf);
		}
		char b[16];
		return jp_fail(p, "expected a value, found %s", describe(c, b, sizeof(b)));
	}
}

int jp_key(struct jparser *p, struct jnode *key)
{
	if (jp_peek(p) != '"')
		return jp_expect(p, '"', "a member name in double quotes");
	memset(key, 0, sizeof(*key));
	key->t = J_STR;
	key->line = p->line;
	key->col = cur_col(p);
	if (string_into(p, key) < 0)
		return -1;
	return jp_expect(p, ':', "':' after member name");
}

int jp_match_slow(struct jparser *p, const char *text, size_t len)
{
	if (crimg_input_avail(&p->in) < len && crimg_input_need(&p->in, len, p->err) <= 0)
		return 0;
	if (memcmp(crimg_input_ptr(&p->in), text, len) != 0)
		return 0;
	crimg_input_skip(&p->in, len); /* the text holds no newline */
	return 1;
}

/* Eight ASCII digits at s as a number: 1, or 0 if they are not all digits.
 * The digits are checked and combined eight at a time in one word. */
static inline int eight_digits(const uint8_t *s, uint64_t *out)
{
	uint64_t x;
	memcpy(&x, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x); /* the first digit in the low byte */
#endif
	if ((((x & 0xF0F0F0F0F0F0F0F0u) |
	      (((x + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4))) != 0x3333333333333333u)
		return 0;
	x = (x & 0x0F0F0F0F0F0F0F0Fu) * 2561 >> 8;                /* pairs */
	x = (x & 0x00FF00FF00FF00FFu) * 6553601 >> 16;            /* fours */
	*out = (x & 0x0000FFFF0000FFFFu) * 42949672960001u >> 32; /* eight */
	return 1;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* How many of the eight bytes of x (the first in the low byte) are digits
 * before the first that is not: a byte is a digit when its high nibble is
 * 3 and adding 6 keeps it so.  The addition carries only out of a byte
 * that is no digit, into bytes after it, which are not looked at. */
static inline unsigned leading_digits(uint64_t x)
{
	uint64_t bad = ((x & 0xF0F0F0F0F0F0F0F0u) ^ 0x3030303030303030u) |
		(((x + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) ^ 0x3030303030303030u);
	return bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
}

/* The value of the n (1 to 8) digits at the start of x. */
static inline uint64_t digits_value(uint64_t x, unsigned n)
{
	if (n < 8) /* move them to the end, '0's before them */
		x = x << (8 * (8 - n)) | (0x3030303030303030u >> (8 * n));
	x = (x & 0x0F0F0F0F0F0F0F0Fu) * 2561 >> 8;
	x = (x & 0x00FF00FF00FF00FFu) * 6553601 >> 16;
	return (x & 0x0000FFFF0000FFFFu) * 42949672960001u >> 32;
}
#endif

int jp_plain_int(struct jparser *p, int *neg, uint64_t *mag)
{
	if (crimg_input_avail(&p->in) < 32 && crimg_input_need(&p->in, 32, p->err) < 0)
		return -1;
	const uint8_t *s = crimg_input_ptr(&p->in);
	size_t avail = crimg_input_avail(&p->in), k = 0;
	int ng = 0;
	if (k < avail && s[k] == '-') {
		ng = 1;
		k++;
	}
	size_t first = k;
	uint64_t v = 0, d8;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* most numbers in images have fewer than eight digits: one step */
	if (avail - k >= 8) {
		uint64_t x;
		memcpy(&x, s + k, 8);
		unsigned n = leading_digits(x);
		if (n == 0)
			return 0;
		v = digits_value(x, n);
		k += n;
	}
	if (k - first == 8)
#endif
		while (k - first <= 19 - 8 && avail - k >= 8 && eight_digits(s + k, &d8)) {
			v = v * 100000000u + d8;
			k += 8;
		}
	while (k < avail && s[k] >= '0' && s[k] <= '9' && k - first < 19)
		v = v * 10 + (uint64_t)(s[k++] - '0');
	if (k == first || (s[first] == '0' && k - first > 1))
		return 0; /* not a number, or "01": the slow path explains */
	if (k < avail &&
	    ((s[k] >= '0' && s[k] <= '9') || s[k] == '.' || s[k] == 'e' || s[k] == 'E'))
		return 0; /* 20 digits or a fraction: the slow path decides */
	crimg_input_skip(&p->in, k);
	*neg = ng;
	*mag = v;
	return 1;
}
