/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.c: the configuration tree (see config.h), read with libyaml's
 * event parser.
 *
 * Where it sits: core/, read once at start-up by every stage.
 * Spec: YAML 1.1 as Suricata writes suricata.yaml (`%YAML 1.1`, `---`,
 * block maps and sequences, anchors/aliases, top-level `include:` and the
 * `!include` tag), with Suricata's merge rules: a later map merges into an
 * earlier one key by key; a scalar or a sequence replaces what was there.
 *
 * Invariants: a file is parsed into a detached tree first and merged only
 * when the whole file parsed, so a broken file changes nothing. Every node
 * remembers the file and line that set it, for messages. A node is a map
 * (children, not a sequence), a sequence (children named "0", "1", ...) or
 * a scalar (value != NULL, no children).
 *
 * Unknown keys: a key is "known" when a registered prefix covers it. Keys
 * that are not known are reported once each by conf_warn_unknown(): at
 * warning level, unless the top-level section is a standard Suricata one
 * (a Suricata config fed to kasbah is normal), then at info level (-v).
 */
#include "core/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/log.h"
#include "lib/alloc.h"

/* Deepest `include` nesting; a file that includes itself stops here. */
#define CONF_MAX_INCLUDE_DEPTH 8
/* Deepest YAML nesting we follow (suricata.yaml is ~6 deep). */
#define CONF_MAX_DEPTH 64
#define CONF_MAX_KNOWN 512

struct ConfNode {
    char *name;
    char *value;            /* scalar text; NULL for maps and sequences */
    bool is_seq;
    bool warned;            /* an unknown-key or bad-value message was given */
    const char *file;       /* interned in Config.files */
    int line;
    ConfNode *parent, *first, *last, *next;
};

typedef struct FileName {
    struct FileName *next;
    char name[];
} FileName;

struct Config {
    ConfNode *root;
    FileName *files;
};

/* ---- nodes ---- */

static ConfNode *node_new(const char *name, size_t name_len, const char *file, int line)
{
    ConfNode *n = mem_calloc(NULL, 1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->name = mem_strndup(NULL, name, name_len);
    if (n->name == NULL) {
        mem_free(NULL, n);
        return NULL;
    }
    n->file = file;
    n->line = line;
    return n;
}

static void node_free(ConfNode *n);

static void node_clear(ConfNode *n)
{
    ConfNode *c = n->first;
    while (c != NULL) {
        ConfNode *next = c->next;
        node_free(c);
        c = next;
    }
    n->first = n->last = NULL;
    mem_free(NULL, n->value);
    n->value = NULL;
    n->is_seq = false;
}

static void node_free(ConfNode *n)
{
    if (n == NULL)
        return;
    node_clear(n);
    mem_free(NULL, n->name);
    mem_free(NULL, n);
}

static void node_append(ConfNode *parent, ConfNode *c)
{
    c->parent = parent;
    c->next = NULL;
    if (parent->last != NULL)
        parent->last->next = c;
    else
        parent->first = c;
    parent->last = c;
}

static ConfNode *child_find(const ConfNode *n, const char *name, size_t len)
{
    for (ConfNode *c = n != NULL ? n->first : NULL; c != NULL; c = c->next)
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    return NULL;
}

/* Find or add the child `name` of map n. NULL on OOM. */
static ConfNode *child_get(ConfNode *n, const char *name, size_t len, const char *file, int line)
{
    ConfNode *c = child_find(n, name, len);
    if (c != NULL)
        return c;
    c = node_new(name, len, file, line);
    if (c != NULL)
        node_append(n, c);
    return c;
}

static int node_set_value(ConfNode *n, const char *v, size_t len)
{
    char *copy = mem_strndup(NULL, v, len);
    if (copy == NULL)
        return -1;
    node_clear(n);
    n->value = copy;
    return 0;
}

/* Deep copy of src's content (not its name) into the empty node dst. */
static int node_copy_into(ConfNode *dst, const ConfNode *src)
{
    dst->is_seq = src->is_seq;
    if (src->value != NULL && node_set_value(dst, src->value, strlen(src->value)) != 0)
        return -1;
    dst->is_seq = src->is_seq;
    for (const ConfNode *c = src->first; c != NULL; c = c->next) {
        ConfNode *d = node_new(c->name, strlen(c->name), c->file, c->line);
        if (d == NULL)
            return -1;
        node_append(dst, d);
        if (node_copy_into(d, c) != 0)
            return -1;
    }
    return 0;
}

static bool is_map(const ConfNode *n) { return n->value == NULL && !n->is_seq; }

/* Merge src into dst and empty src: maps merge key by key, anything else
 * replaces. Children are moved, not copied. */
static int node_merge(ConfNode *dst, ConfNode *src)
{
    dst->file = src->file;
    dst->line = src->line;
    if (is_map(src) && src->first != NULL) {
        if (!is_map(dst))
            node_clear(dst);
        ConfNode *c = src->first;
        src->first = src->last = NULL;
        while (c != NULL) {
            ConfNode *next = c->next;
            ConfNode *d = child_find(dst, c->name, strlen(c->name));
            if (d == NULL) {
                node_append(dst, c);
            } else {
                int r = node_merge(d, c);
                node_free(c);
                if (r != 0) {
                    while (next != NULL) {
                        ConfNode *nn = next->next;
                        node_free(next);
                        next = nn;
                    }
                    return -1;
                }
            }
            c = next;
        }
        return 0;
    }
    node_clear(dst);
    dst->value = src->value;
    dst->is_seq = src->is_seq;
    src->value = NULL;
    dst->first = src->first;
    dst->last = src->last;
    for (ConfNode *c = dst->first; c != NULL; c = c->next)
        c->parent = dst;
    src->first = src->last = NULL;
    return 0;
}

static const char *intern_file(Config *c, const char *name)
{
    for (FileName *f = c->files; f != NULL; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f->name;
    size_t len = strlen(name);
    FileName *f = mem_alloc(NULL, sizeof *f + len + 1);
    if (f == NULL)
        return "?";
    memcpy(f->name, name, len + 1);
    f->next = c->files;
    c->files = f;
    return f->name;
}

/* ---- the YAML reader ---- */

typedef struct Anchor {
    struct Anchor *next;
    char *name;
    ConfNode *copy; /* detached deep copy of the anchored node */
} Anchor;

typedef struct Reader {
    Config *c;
    yaml_parser_t parser;
    const char *file;   /* interned name for messages */
    const char *path;   /* for resolving includes; NULL for strings */
    int include_depth;
    Anchor *anchors;
    bool failed;
} Reader;

static int read_file_into(Config *c, ConfNode *target, const char *path, int include_depth,
                          const char *from_file, int from_line);

static void reader_error(Reader *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reader_error(Reader *r, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_error("%s:%d: %s", r->file, line, msg);
    r->failed = true;
}

/* Next event; false (after a message) on a YAML syntax error. */
static bool next_event(Reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev))
        return true;
    int line = (int)r->parser.problem_mark.line + 1;
    const char *problem = r->parser.problem ? r->parser.problem : "invalid YAML";
    char msg[400];
    if (r->parser.context != NULL)
        snprintf(msg, sizeof msg, "%s %s", problem, r->parser.context);
    else
        snprintf(msg, sizeof msg, "%s", problem);
    reader_error(r, line, "%s", msg);
    return false;
}

static int ev_line(const yaml_event_t *ev) { return (int)ev->start_mark.line + 1; }

/* Resolve an include name against the including file's directory. */
static char *include_path(const Reader *r, const char *name)
{
    if (name[0] == '/' || r->path == NULL)
        return mem_strndup(NULL, name, strlen(name));
    const char *slash = strrchr(r->path, '/');
    if (slash == NULL)
        return mem_strndup(NULL, name, strlen(name));
    size_t dlen = (size_t)(slash - r->path);
    size_t len = dlen + 1 + strlen(name);
    char *p = mem_alloc(NULL, len + 1);
    if (p != NULL)
        snprintf(p, len + 1, "%.*s/%s", (int)dlen, r->path, name);
    return p;
}

static void do_include(Reader *r, ConfNode *target, const char *name, int line)
{
    if (r->include_depth + 1 > CONF_MAX_INCLUDE_DEPTH) {
        reader_error(r, line, "include of '%s' nested too deeply (a loop?)", name);
        return;
    }
    char *p = include_path(r, name);
    if (p == NULL) {
        reader_error(r, line, "out of memory including '%s'", name);
        return;
    }
    if (read_file_into(r->c, target, p, r->include_depth + 1, r->file, line) != 0)
        r->failed = true;
    mem_free(NULL, p);
}

static void remember_anchor(Reader *r, const yaml_char_t *anchor, const ConfNode *n)
{
    if (anchor == NULL)
        return;
    ConfNode *copy = node_new("", 0, n->file, n->line);
    if (copy == NULL) {
        r->failed = true;
        return;
    }
    Anchor *a = mem_calloc(NULL, 1, sizeof *a);
    if (a == NULL) {
        node_free(copy);
        r->failed = true;
        return;
    }
    a->copy = copy;
    a->next = r->anchors; /* newest first: a redefined anchor wins */
    r->anchors = a;
    a->name = mem_strndup(NULL, (const char *)anchor, strlen((const char *)anchor));
    if (a->name == NULL || node_copy_into(copy, n) != 0)
        r->failed = true;
}

static void parse_node(Reader *r, ConfNode *target, yaml_event_t *ev, int depth);

/* The children of a map whose MAPPING_START was consumed. */
static void parse_map(Reader *r, ConfNode *target, int depth)
{
    if (!is_map(target))
        node_clear(target);
    for (;;) {
        yaml_event_t kev;
        if (!next_event(r, &kev))
            return;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            return;
        }
        if (kev.type != YAML_SCALAR_EVENT) {
            reader_error(r, ev_line(&kev), "%s", "expected a key (a plain name), found a map or list");
            yaml_event_delete(&kev);
            return;
        }
        const char *key = (const char *)kev.data.scalar.value;
        size_t klen = kev.data.scalar.length;
        int line = ev_line(&kev);
        yaml_event_t vev;
        if (!next_event(r, &vev)) {
            yaml_event_delete(&kev);
            return;
        }
        if (klen == 7 && memcmp(key, "include", 7) == 0) {
            /* include: FILE or include: [FILE, ...] merges into this map */
            ConfNode tmp = { 0 };
            tmp.name = (char *)"include";
            tmp.file = r->file;
            parse_node(r, &tmp, &vev, depth + 1);
            if (!r->failed) {
                if (tmp.value != NULL) {
                    do_include(r, target, tmp.value, line);
                } else {
                    for (ConfNode *c = tmp.first; c != NULL && !r->failed; c = c->next)
                        if (c->value != NULL)
                            do_include(r, target, c->value, c->line);
                }
            }
            node_clear(&tmp);
        } else {
            ConfNode *child = child_get(target, key, klen, r->file, line);
            if (child == NULL) {
                reader_error(r, line, "%s", "out of memory");
                yaml_event_delete(&vev); /* parse_node would have */
            } else {
                child->file = r->file;
                child->line = line;
                parse_node(r, child, &vev, depth + 1);
            }
        }
        yaml_event_delete(&kev);
        if (r->failed)
            return;
    }
}

static void parse_seq(Reader *r, ConfNode *target, int depth)
{
    node_clear(target);
    target->is_seq = true;
    unsigned idx = 0;
    for (;;) {
        yaml_event_t iev;
        if (!next_event(r, &iev))
            return;
        if (iev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&iev);
            return;
        }
        char name[16];
        int nl = snprintf(name, sizeof name, "%u", idx++);
        ConfNode *child = node_new(name, (size_t)nl, r->file, ev_line(&iev));
        if (child == NULL) {
            reader_error(r, ev_line(&iev), "%s", "out of memory");
            yaml_event_delete(&iev);
            return;
        }
        node_append(target, child);
        parse_node(r, child, &iev, depth + 1);
        if (r->failed)
            return;
    }
}

/* Fill target from the node that starts with *ev (consumed and deleted). */
static void parse_node(Reader *r, ConfNode *target, yaml_event_t *ev, int depth)
{
    if (depth > CONF_MAX_DEPTH) {
        reader_error(r, ev_line(ev), "%s", "nesting too deep");
        yaml_event_delete(ev);
        return;
    }
    target->file = r->file; /* the line stays the key's (set by the caller) */
    const yaml_char_t *anchor = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        anchor = ev->data.scalar.anchor;
        const char *tag = (const char *)ev->data.scalar.tag;
        const char *v = (const char *)ev->data.scalar.value;
        if (tag != NULL && strcmp(tag, "!include") == 0) {
            node_clear(target);
            do_include(r, target, v, ev_line(ev));
        } else if (node_set_value(target, v, ev->data.scalar.length) != 0) {
            reader_error(r, ev_line(ev), "%s", "out of memory");
        }
        break;
    }
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        parse_map(r, target, depth);
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        parse_seq(r, target, depth);
        break;
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        Anchor *a = r->anchors;
        while (a != NULL && (a->name == NULL || strcmp(a->name, name) != 0))
            a = a->next;
        if (a == NULL) {
            reader_error(r, ev_line(ev), "unknown alias '*%s'", name);
        } else {
            node_clear(target);
            if (node_copy_into(target, a->copy) != 0)
                reader_error(r, ev_line(ev), "%s", "out of memory");
        }
        break;
    }
    default:
        reader_error(r, ev_line(ev), "%s", "unexpected YAML structure");
        break;
    }
    if (anchor != NULL && !r->failed)
        remember_anchor(r, anchor, target);
    yaml_event_delete(ev);
}

/* Parse every document of the stream into root (a map). */
static void parse_stream(Reader *r, ConfNode *root)
{
    for (;;) {
        yaml_event_t ev;
        if (!next_event(r, &ev))
            return;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            return;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT ||
            t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_MAPPING_START_EVENT) {
            yaml_event_delete(&ev);
            parse_map(r, root, 0);
        } else if (t == YAML_SCALAR_EVENT && ev.data.scalar.length == 0) {
            yaml_event_delete(&ev); /* an empty document */
        } else {
            reader_error(r, ev_line(&ev), "%s", "expected a map of settings at the top level");
            yaml_event_delete(&ev);
        }
        if (r->failed)
            return;
    }
}

static void reader_fini(Reader *r)
{
    Anchor *a = r->anchors;
    while (a != NULL) {
        Anchor *next = a->next;
        node_free(a->copy);
        mem_free(NULL, a->name);
        mem_free(NULL, a);
        a = next;
    }
    yaml_parser_delete(&r->parser);
}

/* Parse text into a detached tree, then merge it into target. */
static int load_text(Config *c, ConfNode *target, const char *text, size_t len,
                     const char *name, const char *path, int include_depth)
{
    Reader r = { 0 };
    r.c = c;
    r.file = intern_file(c, name);
    r.path = path;
    r.include_depth = include_depth;
    if (!yaml_parser_initialize(&r.parser)) {
        log_error("%s: out of memory", name);
        return -1;
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    ConfNode *tmp = node_new("", 0, r.file, 1);
    if (tmp == NULL) {
        reader_fini(&r);
        log_error("%s: out of memory", name);
        return -1;
    }
    parse_stream(&r, tmp);
    reader_fini(&r);
    int ret = -1;
    if (!r.failed)
        ret = node_merge(target, tmp);
    node_free(tmp);
    return ret;
}

static int read_file_into(Config *c, ConfNode *target, const char *path, int include_depth,
                          const char *from_file, int from_line)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (from_file != NULL)
            log_error("%s:%d: cannot open included file %s: %s", from_file, from_line, path,
                      strerror(errno));
        else
            log_error("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *buf = mem_alloc(NULL, cap);
    int ret = -1;
    while (buf != NULL) {
        if (len == cap) {
            char *nb = cap < SIZE_MAX / 2 ? mem_realloc(NULL, buf, cap * 2) : NULL;
            if (nb == NULL) {
                mem_free(NULL, buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    if (buf == NULL) {
        log_error("%s: out of memory reading the file", path);
    } else if (ferror(f)) {
        log_error("%s: read error: %s", path, strerror(errno));
    } else {
        ret = load_text(c, target, buf, len, path, path, include_depth);
    }
    mem_free(NULL, buf);
    fclose(f);
    return ret;
}

/* ---- built-in defaults ---- */

/* Suricata's stock address and port groups (suricata.yaml, 7.0). */
static const char DEFAULTS[] =
    "default-log-dir: .\n"
    "vars:\n"
    "  address-groups:\n"
    "    HOME_NET: \"[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]\"\n"
    "    EXTERNAL_NET: \"!$HOME_NET\"\n"
    "    HTTP_SERVERS: \"$HOME_NET\"\n"
    "    SMTP_SERVERS: \"$HOME_NET\"\n"
    "    SQL_SERVERS: \"$HOME_NET\"\n"
    "    DNS_SERVERS: \"$HOME_NET\"\n"
    "    TELNET_SERVERS: \"$HOME_NET\"\n"
    "    AIM_SERVERS: \"$EXTERNAL_NET\"\n"
    "    DC_SERVERS: \"$HOME_NET\"\n"
    "    DNP3_SERVER: \"$HOME_NET\"\n"
    "    DNP3_CLIENT: \"$HOME_NET\"\n"
    "    MODBUS_CLIENT: \"$HOME_NET\"\n"
    "    MODBUS_SERVER: \"$HOME_NET\"\n"
    "    ENIP_CLIENT: \"$HOME_NET\"\n"
    "    ENIP_SERVER: \"$HOME_NET\"\n"
    "  port-groups:\n"
    "    HTTP_PORTS: \"80\"\n"
    "    SHELLCODE_PORTS: \"!80\"\n"
    "    ORACLE_PORTS: 1521\n"
    "    SSH_PORTS: 22\n"
    "    DNP3_PORTS: 20000\n"
    "    MODBUS_PORTS: 502\n"
    "    FILE_DATA_PORTS: \"[$HTTP_PORTS,110,143]\"\n"
    "    FTP_PORTS: 21\n"
    "    GENEVE_PORTS: 6081\n"
    "    VXLAN_PORTS: 4789\n"
    "    TEREDO_PORTS: 3544\n";

Config *conf_new(void)
{
    Config *c = mem_calloc(NULL, 1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->root = node_new("", 0, intern_file(c, "<built-in>"), 0);
    if (c->root == NULL ||
        load_text(c, c->root, DEFAULTS, sizeof DEFAULTS - 1, "<built-in>", NULL, 0) != 0) {
        conf_free(c);
        return NULL;
    }
    return c;
}

void conf_free(Config *c)
{
    if (c == NULL)
        return;
    node_free(c->root);
    FileName *f = c->files;
    while (f != NULL) {
        FileName *next = f->next;
        mem_free(NULL, f);
        f = next;
    }
    mem_free(NULL, c);
}

int conf_load_file(Config *c, const char *path)
{
    return read_file_into(c, c->root, path, 0, NULL, 0);
}

int conf_load_string(Config *c, const char *yaml, const char *name)
{
    return load_text(c, c->root, yaml, strlen(yaml), name ? name : "<string>", NULL, 0);
}

int conf_set(Config *c, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL || eq == assignment) {
        log_error("--set %s: expected key=value", assignment);
        return -1;
    }
    const char *file = intern_file(c, "--set");
    ConfNode *n = c->root;
    const char *s = assignment, *kend = eq;
    while (*s == ' ' || *s == '\t')
        s++;
    while (kend > s && (kend[-1] == ' ' || kend[-1] == '\t'))
        kend--;
    if (kend == s) {
        log_error("--set %s: expected key=value", assignment);
        return -1;
    }
    while (s < kend) {
        const char *dot = memchr(s, '.', (size_t)(kend - s));
        const char *end = dot != NULL ? dot : kend;
        if (end == s) {
            log_error("--set %s: empty key component", assignment);
            return -1;
        }
        if (n->value != NULL) /* a scalar becomes a map; maps and sequences keep their children */
            node_clear(n);
        n = child_get(n, s, (size_t)(end - s), file, 0);
        if (n == NULL) {
            log_error("--set %s: out of memory", assignment);
            return -1;
        }
        s = end + 1;
    }
    /* trim blanks around the value, as Suricata does */
    const char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vlen = strlen(v);
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    n->file = file;
    n->line = 0;
    n->warned = false;
    if (node_set_value(n, v, vlen) != 0) {
        log_error("--set %s: out of memory", assignment);
        return -1;
    }
    return 0;
}

/* ---- lookups ---- */

const ConfNode *conf_node(const Config *c, const char *path)
{
    if (c == NULL || path == NULL)
        return NULL;
    const ConfNode *n = c->root;
    const char *s = path;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot != NULL ? (size_t)(dot - s) : strlen(s);
        n = child_find(n, s, len);
        if (n == NULL || dot == NULL)
            return n;
        s = dot + 1;
    }
}

static void where(const ConfNode *n, char *out, size_t size)
{
    if (n->line > 0)
        snprintf(out, size, "%s:%d", n->file, n->line);
    else
        snprintf(out, size, "%s", n->file);
}

/* Say once that path's value does not parse and the default is used. */
static void bad_value(const ConfNode *n, const char *path, const char *expected)
{
    if (n->warned)
        return;
    ((ConfNode *)n)->warned = true; /* the flag is bookkeeping, not content */
    char w[300];
    where(n, w, sizeof w);
    log_warn("%s: %s: expected %s, found '%s'; using the default", w, path, expected,
             n->value ? n->value : "(a map or list)");
}

const char *conf_get_str(const Config *c, const char *path, const char *dflt)
{
    const ConfNode *n = conf_node(c, path);
    return n != NULL && n->value != NULL ? n->value : dflt;
}

bool conf_get_bool(const Config *c, const char *path, bool dflt)
{
    const ConfNode *n = conf_node(c, path);
    if (n == NULL)
        return dflt;
    static const char *const YES[] = { "yes", "true", "on", "1", "y" };
    static const char *const NO[] = { "no", "false", "off", "0", "n" };
    if (n->value != NULL) {
        for (size_t i = 0; i < sizeof YES / sizeof YES[0]; i++) {
            if (strcasecmp(n->value, YES[i]) == 0)
                return true;
            if (strcasecmp(n->value, NO[i]) == 0)
                return false;
        }
    }
    bad_value(n, path, "yes or no");
    return dflt;
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Parse "<digits>[.<digits>][ ]<suffix>" with suffix b, k/kb/kib, m/mb/mib,
 * g/gb/gib, t/tb/tib (1024-based, any case). false on junk or overflow. */
static bool parse_size(const char *text, uint64_t *out)
{
    const char *s = skip_blanks(text);
    if (*s < '0' || *s > '9')
        return false;
    uint64_t whole = 0;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (whole > (UINT64_MAX - d) / 10)
            return false;
        whole = whole * 10 + d;
        s++;
    }
    uint64_t frac_num = 0, frac_den = 1;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            if (frac_den < 1000000000000ULL) {
                frac_num = frac_num * 10 + (uint64_t)(*s - '0');
                frac_den *= 10;
            }
            s++;
        }
    }
    s = skip_blanks(s);
    uint64_t mult = 1;
    char u = (char)(*s | 0x20);
    if (*s != '\0') {
        static const char UNITS[] = "kmgt";
        const char *p = strchr(UNITS, u);
        if (p != NULL && u != '\0') {
            for (const char *q = UNITS; q <= p; q++)
                mult *= 1024;
            s++;
            if ((*s | 0x20) == 'i')
                s++;
            if ((*s | 0x20) == 'b')
                s++;
        } else if (u == 'b') {
            s++;
        } else {
            return false;
        }
    }
    s = skip_blanks(s);
    if (*s != '\0')
        return false;
    if (whole > UINT64_MAX / mult)
        return false;
    uint64_t v = whole * mult;
    /* frac_num < frac_den <= 1e12 and mult <= 2^40: compute without overflow */
    uint64_t extra = (uint64_t)((double)frac_num / (double)frac_den * (double)mult);
    if (v > UINT64_MAX - extra)
        return false;
    *out = v + extra;
    return true;
}

uint64_t conf_get_size(const Config *c, const char *path, uint64_t dflt)
{
    const ConfNode *n = conf_node(c, path);
    if (n == NULL)
        return dflt;
    uint64_t v;
    if (n->value != NULL && parse_size(n->value, &v))
        return v;
    bad_value(n, path, "a size (like 64mb)");
    return dflt;
}

int64_t conf_get_int(const Config *c, const char *path, int64_t dflt)
{
    const ConfNode *n = conf_node(c, path);
    if (n == NULL)
        return dflt;
    if (n->value != NULL) {
        const char *s = skip_blanks(n->value);
        char *end = NULL;
        errno = 0;
        long long v = strtoll(s, &end, 0);
        if (end != s && errno == 0 && *skip_blanks(end) == '\0')
            return (int64_t)v;
    }
    bad_value(n, path, "an integer");
    return dflt;
}

double conf_get_double(const Config *c, const char *path, double dflt)
{
    const ConfNode *n = conf_node(c, path);
    if (n == NULL)
        return dflt;
    if (n->value != NULL) {
        const char *s = skip_blanks(n->value);
        char *end = NULL;
        errno = 0;
        double v = strtod(s, &end);
        if (end != s && errno == 0 && *skip_blanks(end) == '\0')
            return v;
    }
    bad_value(n, path, "a number");
    return dflt;
}

const char *conf_node_name(const ConfNode *n) { return n != NULL ? n->name : NULL; }
const char *conf_node_value(const ConfNode *n) { return n != NULL ? n->value : NULL; }
const ConfNode *conf_node_child(const ConfNode *n, const char *name)
{
    return n != NULL && name != NULL ? child_find(n, name, strlen(name)) : NULL;
}
const ConfNode *conf_node_first(const ConfNode *n) { return n != NULL ? n->first : NULL; }
const ConfNode *conf_node_next(const ConfNode *n) { return n != NULL ? n->next : NULL; }
bool conf_node_is_seq(const ConfNode *n) { return n != NULL && n->is_seq; }

/* ---- known keys ---- */

/* Keys kasbah reads itself; modules add theirs with conf_register_known. */
static const char *const BUILTIN_KNOWN[] = {
    "vars.address-groups", "vars.port-groups", "default-log-dir", "outputs", "include",
    "flow.memcap", "flow.hash-size", "flow-timeouts", "anomaly",
};

/* Top-level sections of Suricata's stock suricata.yaml (6.x/7.x): a key
 * under one of these that kasbah does not read is normal, said at info level. */
static const char *const SURICATA_TOP[] = {
    "action-order", "af-packet", "af-xdp", "anomaly", "app-layer", "asn1-max-frames",
    "autofp-scheduler", "capture", "classification-file", "coredump", "cuda", "daemon-directory",
    "datasets", "decoder", "default-log-dir", "default-packet-size", "default-rule-path",
    "defrag", "detect", "detect-engine", "dpdk", "engine-analysis", "exception-policy",
    "firewall", "flow", "flow-timeouts", "geoip-database", "heartbeat", "host", "host-mode",
    "host-os-policy", "ipfw", "legacy", "livedev", "logging", "luajit", "magic-file",
    "max-pending-packets", "mpm-algo", "napatech", "netmap", "nflog", "nfq", "outputs",
    "packet-alert-max", "pcap", "pcap-file", "pcre", "pfring", "pid-file", "plugins",
    "profiling", "reference-config-file", "rule-files", "run-as", "runmode", "security",
    "sensor-name", "spm-algo", "stats", "stream", "threading", "threshold-file",
    "unix-command", "vars", "vlan", "windivert", "ips", "http", "ippair", "include",
};

static char *known[CONF_MAX_KNOWN];
static size_t n_known;

void conf_register_known(const char *path_prefix)
{
    for (size_t i = 0; i < n_known; i++)
        if (strcmp(known[i], path_prefix) == 0)
            return;
    if (n_known >= CONF_MAX_KNOWN)
        return;
    char *copy = mem_strndup(NULL, path_prefix, strlen(path_prefix));
    if (copy != NULL)
        known[n_known++] = copy;
}

/* 1: path is covered by prefix k; 2: path is an ancestor of k; 0: neither. */
static int relation(const char *path, const char *k)
{
    size_t pl = strlen(path), kl = strlen(k);
    if (pl >= kl && strncmp(path, k, kl) == 0 && (path[kl] == '\0' || path[kl] == '.'))
        return 1;
    if (kl > pl && strncmp(path, k, pl) == 0 && k[pl] == '.')
        return 2;
    return 0;
}

static int classify(const char *path)
{
    int best = 0;
    for (size_t i = 0; i < sizeof BUILTIN_KNOWN / sizeof BUILTIN_KNOWN[0]; i++) {
        int r = relation(path, BUILTIN_KNOWN[i]);
        if (r == 1)
            return 1;
        if (r == 2)
            best = 2;
    }
    for (size_t i = 0; i < n_known; i++) {
        int r = relation(path, known[i]);
        if (r == 1)
            return 1;
        if (r == 2)
            best = 2;
    }
    return best;
}

static bool suricata_section(const char *top)
{
    for (size_t i = 0; i < sizeof SURICATA_TOP / sizeof SURICATA_TOP[0]; i++)
        if (strcmp(top, SURICATA_TOP[i]) == 0)
            return true;
    return false;
}

static void walk_unknown(const ConfNode *n, char *path, size_t len, size_t cap, const char *top)
{
    for (const ConfNode *c = n->first; c != NULL; c = c->next) {
        size_t nl = strlen(c->name);
        size_t need = len + (len ? 1 : 0) + nl;
        if (need + 1 > cap)
            continue;
        size_t at = len;
        if (len)
            path[at++] = '.';
        memcpy(path + at, c->name, nl + 1);
        const char *this_top = len == 0 ? c->name : top;
        int k = classify(path);
        if (k == 2) {
            walk_unknown(c, path, need, cap, this_top);
        } else if (k == 0 && !c->warned) {
            ((ConfNode *)c)->warned = true; /* once per key */
            char w[300];
            where(c, w, sizeof w);
            if (suricata_section(this_top))
                log_info("%s: '%s' is a Suricata setting kasbah does not use (ignored)", w, path);
            else
                log_warn("%s: unknown key '%s' (ignored)", w, path);
        }
        path[len] = '\0';
    }
}

void conf_warn_unknown(const Config *c)
{
    if (c == NULL)
        return;
    char path[1024];
    path[0] = '\0';
    walk_unknown(c->root, path, 0, sizeof path, "");
}
