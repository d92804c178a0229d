/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state.c: the TCP state of a flow, driven by TCP flags only, and the
 * generic state (new / established / closed) that picks the timeout.
 *
 * Where it sits: table.c calls it for every packet of a flow that has no
 * stream/ session (f->tcp == NULL: mid-stream flows, or before the session
 * exists). Once stream/ tracks the session it sets f->tcp_state itself and
 * the engine calls flow_table_tcp_state_changed(), which only re-derives
 * the generic state (flow_tcp_generic_derive). The machine here never looks
 * at sequence numbers, so "the ACK of the FIN" is any ACK from the other side.
 *
 * The state names and the transitions follow Suricata's stream engine
 * (stream-tcp.c), with direction 0 = to server (the client's packets):
 *
 *   none        --SYN (client)-------------> syn_sent
 *   syn_sent    --SYN or SYN/ACK (server)--> syn_recv
 *   syn_recv    --ACK (client)-------------> established (a FIN on it goes on)
 *   established --FIN (client)-------------> close_wait
 *   established --FIN (server)-------------> fin_wait1
 *   close_wait  --FIN (server)-------------> last_ack
 *   last_ack    --ACK (client)-------------> closed
 *   fin_wait1   --FIN+ACK (client)---------> time_wait
 *   fin_wait1   --FIN (client)-------------> closing
 *   fin_wait1   --ACK (client)-------------> fin_wait2
 *   fin_wait2   --FIN (client)-------------> time_wait
 *   closing     --ACK (server)-------------> time_wait
 *   time_wait   --ACK (server)-------------> closed
 *   any         --RST----------------------> closed
 *
 * A flow picked up mid-stream (first packet not a SYN) keeps tcp state
 * "none" (Suricata with midstream off tracks no session either).
 *
 * Generic state: TCP is established from `established` on (mid-stream: once
 * both sides sent), closed at last_ack / time_wait / closed, and also as soon
 * as FIN was seen both ways or any RST; UDP, ICMP and other protocols are
 * established once both directions carried a packet and never close.
 * The generic state only moves forward.
 */
#include "flow/flow_int.h"

static void generic_raise(Flow *f, FlowState s)
{
    if (s > f->state)
        f->state = s;
}

void flow_generic_update(Flow *f)
{
    if (f->pkts[0] > 0 && f->pkts[1] > 0)
        generic_raise(f, FLOW_STATE_ESTABLISHED);
}

/* The FIN step from established. */
static FlowTcpState on_fin_established(unsigned d)
{
    return d == 0 ? FLOW_TCP_CLOSE_WAIT : FLOW_TCP_FIN_WAIT1;
}

static FlowTcpState next_state(FlowTcpState s, unsigned d, uint8_t flags)
{
    bool syn = (flags & TCP_SYN) != 0, ack = (flags & TCP_ACK) != 0;
    bool fin = (flags & TCP_FIN) != 0;

    switch (s) {
    case FLOW_TCP_NONE:
        if (d == 0 && syn && !ack)
            return FLOW_TCP_SYN_SENT;
        return s;
    case FLOW_TCP_SYN_SENT:
        if (d == 1 && syn)
            return FLOW_TCP_SYN_RECV;
        return s;
    case FLOW_TCP_SYN_RECV:
        if (d == 0 && ack && !syn)
            return fin ? on_fin_established(d) : FLOW_TCP_ESTABLISHED;
        return s;
    case FLOW_TCP_ESTABLISHED:
        return fin ? on_fin_established(d) : s;
    case FLOW_TCP_CLOSE_WAIT:
        return d == 1 && fin ? FLOW_TCP_LAST_ACK : s;
    case FLOW_TCP_LAST_ACK:
        return d == 0 && ack ? FLOW_TCP_CLOSED : s;
    case FLOW_TCP_FIN_WAIT1:
        if (d != 0)
            return s;
        if (fin)
            return ack ? FLOW_TCP_TIME_WAIT : FLOW_TCP_CLOSING;
        return ack ? FLOW_TCP_FIN_WAIT2 : s;
    case FLOW_TCP_FIN_WAIT2:
        return d == 0 && fin ? FLOW_TCP_TIME_WAIT : s;
    case FLOW_TCP_CLOSING:
        return d == 1 && ack ? FLOW_TCP_TIME_WAIT : s;
    case FLOW_TCP_TIME_WAIT:
        return d == 1 && ack ? FLOW_TCP_CLOSED : s;
    case FLOW_TCP_CLOSED:
        return s;
    }
    return s;
}

void flow_tcp_update(Flow *f, unsigned d, uint8_t flags)
{
    if (flags & TCP_RST)
        f->tcp_state = FLOW_TCP_CLOSED;
    else
        f->tcp_state = next_state(f->tcp_state, d, flags);

    flow_tcp_generic_derive(f);
    if ((f->tcp_flags[0] & f->tcp_flags[1] & TCP_FIN) || (flags & TCP_RST))
        generic_raise(f, FLOW_STATE_CLOSED);
}

void flow_tcp_generic_derive(Flow *f)
{
    switch (f->tcp_state) {
    case FLOW_TCP_NONE:
        flow_generic_update(f); /* mid-stream pick-up */
        break;
    case FLOW_TCP_SYN_SENT:
    case FLOW_TCP_SYN_RECV:
        break;
    case FLOW_TCP_ESTABLISHED:
    case FLOW_TCP_FIN_WAIT1:
    case FLOW_TCP_FIN_WAIT2:
    case FLOW_TCP_CLOSING:
    case FLOW_TCP_CLOSE_WAIT:
        generic_raise(f, FLOW_STATE_ESTABLISHED);
        break;
    case FLOW_TCP_LAST_ACK:
    case FLOW_TCP_TIME_WAIT:
    case FLOW_TCP_CLOSED:
        generic_raise(f, FLOW_STATE_CLOSED);
        break;
    }
}

/* ---- names as EVE writes them ---- */

const char *flow_tcp_state_name(FlowTcpState s)
{
    switch (s) {
    case FLOW_TCP_NONE: return "none";
    case FLOW_TCP_SYN_SENT: return "syn_sent";
    case FLOW_TCP_SYN_RECV: return "syn_recv";
    case FLOW_TCP_ESTABLISHED: return "established";
    case FLOW_TCP_FIN_WAIT1: return "fin_wait1";
    case FLOW_TCP_FIN_WAIT2: return "fin_wait2";
    case FLOW_TCP_TIME_WAIT: return "time_wait";
    case FLOW_TCP_LAST_ACK: return "last_ack";
    case FLOW_TCP_CLOSE_WAIT: return "close_wait";
    case FLOW_TCP_CLOSING: return "closing";
    case FLOW_TCP_CLOSED: return "closed";
    }
    return "unknown";
}

const char *flow_state_name(FlowState s)
{
    switch (s) {
    case FLOW_STATE_NEW: return "new";
    case FLOW_STATE_ESTABLISHED: return "established";
    case FLOW_STATE_CLOSED: return "closed";
    }
    return "unknown";
}

const char *flow_end_reason_name(FlowEndReason r)
{
    switch (r) {
    case FLOW_END_TIMEOUT: return "timeout";
    case FLOW_END_FORCED: return "forced";
    case FLOW_END_SHUTDOWN: return "shutdown";
    }
    return "unknown";
}
