/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * signature.c: building and freeing Signatures (see signature.h), and the
 * detect memory account.
 */
#include "detect/signature.h"

#include <errno.h>
#include <string.h>

#include "detect/keyword.h"
#include "detect/rules/address.h"
#include "lib/alloc.h"

static MemAccount detect_account;
static bool detect_account_ready;

MemAccount *detect_mem(void)
{
    if (!detect_account_ready) {
        mem_account_init(&detect_account, "detect", 0);
        detect_account_ready = true;
    }
    return &detect_account;
}

static void sm_free(SigMatch *sm)
{
    if (sm->kw && sm->kw->free)
        sm->kw->free(sm->ctx);
    else
        mem_free(detect_mem(), sm->ctx);
    sm->ctx = NULL;
}

int sig_list_append(SigMatchList *list, SigMatch sm)
{
    if (list->n == list->cap) {
        if (list->cap >= UINT16_MAX / 2) {
            sm_free(&sm);
            return -ENOMEM;
        }
        uint16_t nc = list->cap ? (uint16_t)(list->cap * 2) : 4;
        SigMatch *ns = mem_realloc(detect_mem(), list->sm, nc * sizeof *ns);
        if (!ns) {
            sm_free(&sm);
            return -ENOMEM;
        }
        list->sm = ns;
        list->cap = nc;
    }
    list->sm[list->n++] = sm;
    return 0;
}

SigMatchList *sig_buffer_list(Signature *s, int buffer_id)
{
    SigBufferList *b = sig_buffer_get(s, buffer_id);
    return b ? &b->list : NULL;
}

SigBufferList *sig_buffer_get(Signature *s, int buffer_id)
{
    for (uint16_t i = 0; i < s->n_bufs; i++)
        if (s->bufs[i].buffer_id == buffer_id)
            return &s->bufs[i];
    SigBufferList *nb = mem_realloc(detect_mem(), s->bufs, (s->n_bufs + 1u) * sizeof *nb);
    if (!nb)
        return NULL;
    s->bufs = nb;
    memset(&s->bufs[s->n_bufs], 0, sizeof s->bufs[0]);
    s->bufs[s->n_bufs].buffer_id = buffer_id;
    return &s->bufs[s->n_bufs++];
}

static void list_free(SigMatchList *l)
{
    for (uint16_t i = 0; i < l->n; i++)
        sm_free(&l->sm[i]);
    mem_free(detect_mem(), l->sm);
    memset(l, 0, sizeof *l);
}

void sig_free(Signature *s)
{
    if (!s)
        return;
    MemAccount *a = detect_mem();
    list_free(&s->match);
    list_free(&s->post);
    for (uint16_t i = 0; i < s->n_bufs; i++)
        list_free(&s->bufs[i].list);
    mem_free(a, s->bufs);
    for (uint16_t i = 0; i < s->n_refs; i++) {
        mem_free(a, s->refs[i].type);
        mem_free(a, s->refs[i].value);
    }
    mem_free(a, s->refs);
    for (uint16_t i = 0; i < s->n_meta; i++) {
        mem_free(a, s->meta[i].key);
        mem_free(a, s->meta[i].value);
    }
    mem_free(a, s->meta);
    for (uint8_t i = 0; i < s->n_vars; i++)
        mem_free(a, s->var_names[i]);
    addr_set_free(s->src);
    addr_set_free(s->dst);
    port_set_free(s->sp);
    port_set_free(s->dp);
    mem_free(a, s->threshold);
    mem_free(a, s->suppress);
    mem_free(a, s->msg);
    mem_free(a, s->raw);
    mem_free(a, s);
}

MemAccount *detect_memory_account(void) { return detect_mem(); }

int sig_var_find(const Signature *s, const char *name)
{
    for (uint8_t i = 0; i < s->n_vars; i++)
        if (strcmp(s->var_names[i], name) == 0)
            return i;
    return -1;
}
