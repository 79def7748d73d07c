/*
 * inventory.img: the image version, and what CRIU recorded that decides how
 * a restore behaves (--tcp-close, the network lock, the LSM,
 * --allow-uprobes, the plugins the dump used).
 */
#include "inventory.pb-c.h"

#include "model/model_int.h"

const struct crimg_inventory *crimg_ckpt_inventory(struct crimg_ckpt *c, struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m)
		return NULL;
	if (m->inventory)
		return m->inventory;
	const ProtobufCMessage *msg = crimg_ckpt_first(c, err, "inventory.img");
	if (!msg)
		return NULL;
	if (msg->descriptor != &inventory_entry__descriptor) {
		crimg_fail(err, "inventory.img", -1, -1, "not an inventory_entry");
		return NULL;
	}
	const InventoryEntry *ie = (const InventoryEntry *)msg;
	struct crimg_inventory *inv = model_alloc(m, sizeof(*inv));
	if (!inv) {
		model_oom(err, "inventory.img");
		return NULL;
	}
	inv->img_version = ie->img_version;
	inv->tcp_close = ie->has_tcp_close && ie->tcp_close;
	inv->has_network_lock = ie->has_network_lock_method;
	inv->network_lock = ie->network_lock_method;
	inv->has_lsm = ie->has_lsmtype;
	inv->lsm = (unsigned)ie->lsmtype;
	inv->allow_uprobes = ie->has_allow_uprobes && ie->allow_uprobes;
	if (ie->plugins_entry) {
		inv->has_plugins = 1;
		inv->plugins = (const char *const *)ie->plugins_entry->plugins;
		inv->n_plugins = ie->plugins_entry->n_plugins;
	}
	inv->run_id = ie->dump_criu_run_id;
	inv->msg = msg;
	m->inventory = inv;
	return inv;
}
