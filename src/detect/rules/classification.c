/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rules/classification.c: classification.config and reference.config
 * readers (see classification.h).
 */
#include "detect/rules/classification.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "detect/signature.h"
#include "lib/alloc.h"

/* Suricata's stock classes (shortname, text, priority), so that a rule set
 * without its own classification.config still resolves classtypes. */
static const char *const stock_classes[] = {
    "not-suspicious,Not Suspicious Traffic,3",
    "unknown,Unknown Traffic,3",
    "bad-unknown,Potentially Bad Traffic,2",
    "attempted-recon,Attempted Information Leak,2",
    "successful-recon-limited,Information Leak,2",
    "successful-recon-largescale,Large Scale Information Leak,2",
    "attempted-dos,Attempted Denial of Service,2",
    "successful-dos,Denial of Service,2",
    "attempted-user,Attempted User Privilege Gain,1",
    "unsuccessful-user,Unsuccessful User Privilege Gain,1",
    "successful-user,Successful User Privilege Gain,1",
    "attempted-admin,Attempted Administrator Privilege Gain,1",
    "successful-admin,Successful Administrator Privilege Gain,1",
    "rpc-portmap-decode,Decode of an RPC Query,2",
    "shellcode-detect,Executable code was detected,1",
    "string-detect,A suspicious string was detected,3",
    "suspicious-filename-detect,A suspicious filename was detected,2",
    "suspicious-login,An attempted login using a suspicious username was detected,2",
    "system-call-detect,A system call was detected,2",
    "tcp-connection,A TCP connection was detected,4",
    "trojan-activity,A Network Trojan was detected,1",
    "unusual-client-port-connection,A client was using an unusual port,2",
    "network-scan,Detection of a Network Scan,3",
    "denial-of-service,Detection of a Denial of Service Attack,2",
    "non-standard-protocol,Detection of a non-standard protocol or event,2",
    "protocol-command-decode,Generic Protocol Command Decode,3",
    "web-application-activity,access to a potentially vulnerable web application,2",
    "web-application-attack,Web Application Attack,1",
    "misc-activity,Misc activity,3",
    "misc-attack,Misc Attack,2",
    "icmp-event,Generic ICMP event,3",
    "inappropriate-content,Inappropriate Content was Detected,1",
    "policy-violation,Potential Corporate Privacy Violation,1",
    "default-login-attempt,Attempt to login by a default username and password,2",
    "targeted-activity,Targeted Malicious Activity was Detected,1",
    "exploit-kit,Exploit Kit Activity Detected,1",
    "external-ip-check,Device Retrieving External IP Address Detected,2",
    "domain-c2,Domain Observed Used for C2 Detected,1",
    "pup-activity,Possibly Unwanted Program Detected,2",
    "credential-theft,Successful Credential Theft Detected,1",
    "social-engineering,Possible Social Engineering Attempted,2",
    "coin-mining,Crypto Currency Mining Activity Detected,2",
    "command-and-control,Malware Command and Control Activity Detected,1",
};

static char *dup_trim(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return mem_strndup(detect_mem(), s, len);
}

int class_table_add_line(ClassTable *t, const char *text)
{
    const char *c1 = strchr(text, ',');
    const char *c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
    if (!c1 || !c2)
        return -1;
    const char *p = c2 + 1;
    while (isspace((unsigned char)*p))
        p++;
    int prio = 0;
    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p) && prio < 1000)
        prio = prio * 10 + (*p++ - '0');
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        return -1;
    char *name = dup_trim(text, (size_t)(c1 - text));
    char *desc = dup_trim(c1 + 1, (size_t)(c2 - c1 - 1));
    if (!name || !desc || name[0] == '\0') {
        mem_free(detect_mem(), name);
        mem_free(detect_mem(), desc);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->v[i].name, name) == 0) {
            mem_free(detect_mem(), t->v[i].name);
            mem_free(detect_mem(), t->v[i].desc);
            t->v[i].name = name;
            t->v[i].desc = desc;
            t->v[i].prio = prio;
            return 0;
        }
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        ClassType *nv = mem_realloc(detect_mem(), t->v, nc * sizeof *nv);
        if (!nv) {
            mem_free(detect_mem(), name);
            mem_free(detect_mem(), desc);
            return -1;
        }
        t->v = nv;
        t->cap = nc;
    }
    t->v[t->n].name = name;
    t->v[t->n].desc = desc;
    t->v[t->n].prio = prio;
    t->n++;
    return 0;
}

int class_table_load_defaults(ClassTable *t)
{
    for (size_t i = 0; i < sizeof stock_classes / sizeof stock_classes[0]; i++)
        if (class_table_add_line(t, stock_classes[i]) != 0)
            return -1;
    return 0;
}

/* Strip a leading "config <what>:" and return the rest, or NULL. */
static const char *config_line(const char *line, const char *what)
{
    while (isspace((unsigned char)*line))
        line++;
    if (strncmp(line, "config", 6) != 0)
        return NULL;
    line += 6;
    while (isspace((unsigned char)*line))
        line++;
    size_t wl = strlen(what);
    if (strncmp(line, what, wl) != 0)
        return NULL;
    line += wl;
    while (isspace((unsigned char)*line))
        line++;
    if (*line != ':')
        return NULL;
    return line + 1;
}

static bool skip_line(const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    return *line == '\0' || *line == '#';
}

int class_table_load(ClassTable *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int n = 0;
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (skip_line(line))
            continue;
        const char *rest = config_line(line, "classification");
        if (!rest || class_table_add_line(t, rest) != 0) {
            log_warn("%s:%u: expected 'config classification: name,description,priority'", path, lineno);
            continue;
        }
        n++;
    }
    fclose(f);
    return n;
}

int class_table_load_refs(ClassTable *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int n = 0;
    unsigned lineno = 0;
    t->have_refs = true;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (skip_line(line))
            continue;
        const char *rest = config_line(line, "reference");
        while (rest && isspace((unsigned char)*rest))
            rest++;
        const char *sp = rest ? rest + strcspn(rest, " \t") : NULL;
        if (!rest || *rest == '\0' || !sp || *sp == '\0') {
            log_warn("%s:%u: expected 'config reference: system url'", path, lineno);
            continue;
        }
        if (t->n_ref == t->cap_ref) {
            size_t nc = t->cap_ref ? t->cap_ref * 2 : 16;
            char **a = mem_realloc(detect_mem(), t->ref_sys, nc * sizeof *a);
            if (!a)
                break;
            t->ref_sys = a;
            char **b = mem_realloc(detect_mem(), t->ref_url, nc * sizeof *b);
            if (!b)
                break;
            t->ref_url = b;
            t->cap_ref = nc;
        }
        char *sys = dup_trim(rest, (size_t)(sp - rest));
        char *url = dup_trim(sp, strlen(sp));
        if (!sys || !url) {
            mem_free(detect_mem(), sys);
            mem_free(detect_mem(), url);
            break;
        }
        for (char *q = sys; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        t->ref_sys[t->n_ref] = sys;
        t->ref_url[t->n_ref] = url;
        t->n_ref++;
        n++;
    }
    fclose(f);
    return n;
}

const ClassType *class_table_find(const ClassTable *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0)
            return &t->v[i];
    return NULL;
}

const char *class_table_ref_url(const ClassTable *t, const char *sys)
{
    for (size_t i = 0; i < t->n_ref; i++)
        if (strcasecmp(t->ref_sys[i], sys) == 0)
            return t->ref_url[i];
    return NULL;
}

void class_table_fini(ClassTable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        mem_free(detect_mem(), t->v[i].name);
        mem_free(detect_mem(), t->v[i].desc);
    }
    for (size_t i = 0; i < t->n_ref; i++) {
        mem_free(detect_mem(), t->ref_sys[i]);
        mem_free(detect_mem(), t->ref_url[i]);
    }
    mem_free(detect_mem(), t->v);
    mem_free(detect_mem(), t->ref_sys);
    mem_free(detect_mem(), t->ref_url);
    memset(t, 0, sizeof *t);
}
