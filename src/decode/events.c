/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.c: the decoder event name table (see events.h). Lookup by name is a
 * linear scan: it runs at rule load time only, over ~130 short strings.
 */
#include "decode/events.h"

#include <stddef.h>
#include <string.h>

#define PKT_EV_NAME_ITEM(id, name) name,
static const char *const event_names[PKT_EV_MAX] = { PKT_EV_LIST(PKT_EV_NAME_ITEM) };
#undef PKT_EV_NAME_ITEM

const char *decode_event_name(int ev)
{
    if (ev < 0 || ev >= PKT_EV_MAX)
        return NULL;
    return event_names[ev];
}

int decode_event_by_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = PKT_EV_NONE + 1; i < PKT_EV_MAX; i++)
        if (strcmp(event_names[i], name) == 0)
            return i;
    return -1;
}
