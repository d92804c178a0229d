/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h: the configuration tree (YAML through libyaml), with Suricata's
 * key names where the concept is the same.
 *
 * A Config is a tree of nodes addressed by dotted paths ("flow.memcap",
 * "vars.address-groups.HOME_NET", "outputs"). Built-in defaults mean no file
 * is needed; conf_load_file() merges a Suricata-style YAML file over them
 * (`%YAML 1.1` headers, `---`, anchors/aliases and `include:` handled);
 * conf_set() applies a `--set key=value` override. Sequences are nodes
 * whose children are named "0", "1", ...
 *
 * Getters never fail: they return the default given when the key is missing
 * or its value does not parse (and warn once naming the key and the value).
 * Keys kasbah does not know are warned about once (conf_warn_unknown), never
 * fatal. Not thread-safe for writing; read-only sharing after load is fine.
 */
#ifndef KASBAH_CORE_CONFIG_H
#define KASBAH_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Config Config;
typedef struct ConfNode ConfNode;

/* A tree holding only kasbah's built-in defaults. NULL on OOM. */
Config *conf_new(void);
void conf_free(Config *c);

/* Merge a YAML file. 0, or -1 after logging "FILE:LINE: what was expected". */
int conf_load_file(Config *c, const char *path);

/* Merge YAML text (tests); `name` is used in messages. */
int conf_load_string(Config *c, const char *yaml, const char *name);

/* Apply "dotted.key=value" (the value replaces any subtree). 0 or -1 when
 * the text has no '='. */
int conf_set(Config *c, const char *assignment);

/* Lookups by dotted path. */
const ConfNode *conf_node(const Config *c, const char *path);
const char *conf_get_str(const Config *c, const char *path, const char *dflt);
/* yes/no/true/false/on/off/1/0 */
bool conf_get_bool(const Config *c, const char *path, bool dflt);
/* integers with optional size suffix kb/mb/gb (1024-based, any case) */
uint64_t conf_get_size(const Config *c, const char *path, uint64_t dflt);
int64_t conf_get_int(const Config *c, const char *path, int64_t dflt);
double conf_get_double(const Config *c, const char *path, double dflt);

/* Node access for lists and maps. */
const char *conf_node_name(const ConfNode *n);   /* key, or "0","1",.. in a sequence */
const char *conf_node_value(const ConfNode *n);  /* scalar text, NULL for maps/sequences */
const ConfNode *conf_node_child(const ConfNode *n, const char *name);
const ConfNode *conf_node_first(const ConfNode *n); /* first child */
const ConfNode *conf_node_next(const ConfNode *n);  /* next sibling */
bool conf_node_is_seq(const ConfNode *n);

/* Warn once (stderr) about every key outside the known set (config.c lists
 * it; modules extend it with conf_register_known before loading). */
void conf_register_known(const char *path_prefix);
void conf_warn_unknown(const Config *c);

#endif
