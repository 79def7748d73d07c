/* Names for the numbers the model hands out, in the words crit uses. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/model_int.h"
#include "json/pretty.h"

const char *crimg_flags_str(const char *table, uint64_t v, char *buf, size_t len)
{
	const struct crimg_flag_map *fm = crimg_flag_map(table);
	if (!fm || !len)
		return NULL;
	size_t n = 0;
	uint64_t known = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < fm->n; i++) {
		known |= fm->bits[i].value;
		if (!(v & fm->bits[i].value) || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " | " : "", fm->bits[i].name);
	}
	if (v & ~known && n < len)
		snprintf(buf + n, len - n, "%s0x%" PRIx64, n ? " | " : "", v & ~known);
	return buf;
}

static const char *sk_word(const char *field, unsigned v)
{
	const struct crimg_dict_map *d = crimg_dict_map("sk");
	return d ? crimg_dict_word(d, field, v) : NULL;
}

const char *crimg_sk_family_name(unsigned family)
{
	return sk_word("family", family);
}

const char *crimg_sk_type_name(unsigned type)
{
	return sk_word("type", type);
}

const char *crimg_sk_proto_name(unsigned proto)
{
	if (proto == 1)
		return "ICMP";
	if (proto == 58)
		return "ICMPV6";
	if (proto == 255)
		return "RAW";
	return sk_word("proto", proto);
}

const char *crimg_sk_state_name(unsigned state)
{
	if (state == 11)
		return "CLOSING";
	return sk_word("state", state);
}

int crimg_sk_tcp_has_stream(unsigned state)
{
	switch (state) {
	case 1:  /* ESTABLISHED */
	case 2:  /* SYN_SENT */
	case 4:  /* FIN_WAIT1 */
	case 5:  /* FIN_WAIT2 */
	case 8:  /* CLOSE_WAIT */
	case 9:  /* LAST_ACK */
	case 11: /* CLOSING */
		return 1;
	default:
		return 0;
	}
}

size_t crimg_quopri(const uint8_t *in, size_t n, char *out)
{
	return crimg_qp_encode(in, n, out);
}
