/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events.h: the TCP stream events, named as Suricata names them.
 *
 * Where in the pipeline: stream/ records these on the Packet
 * (Packet.stream_events) while it tracks a session, and counts each as the
 * stats counter "stream.<name>" (Suricata's `stats.stream-events` form).
 * The rule keyword `stream-event:<name>` and EVE read them back by name.
 *
 * The list below is the single source of truth: the enum and the name table
 * are both generated from it. Names follow Suricata's decode-events.c
 * ("stream." prefix dropped, as rules spell them) and rules/stream-events.rules.
 * STREAM_EV_NONE (0) is never recorded, so a zeroed slot is recognisably empty.
 *
 * Not every event is raised by kasbah's engine (see stream/tcp.c, "Events
 * not raised"); the names are all known so that rules using them load.
 */
#ifndef KASBAH_STREAM_EVENTS_H
#define KASBAH_STREAM_EVENTS_H

#include <stdint.h>

#define STREAM_EV_LIST(X) \
    X(NONE, "none") \
    X(3WHS_ACK_IN_WRONG_DIR, "3whs_ack_in_wrong_dir") \
    X(3WHS_ASYNC_WRONG_SEQ, "3whs_async_wrong_seq") \
    X(3WHS_RIGHT_SEQ_WRONG_ACK_EVASION, "3whs_right_seq_wrong_ack_evasion") \
    X(3WHS_SYNACK_IN_WRONG_DIRECTION, "3whs_synack_in_wrong_direction") \
    X(3WHS_SYNACK_RESEND_WITH_DIFF_ACK, "3whs_synack_resend_with_diff_ack") \
    X(3WHS_SYNACK_RESEND_WITH_DIFF_SEQ, "3whs_synack_resend_with_diff_seq") \
    X(3WHS_SYNACK_TOSERVER_ON_SYN_RECV, "3whs_synack_toserver_on_syn_recv") \
    X(3WHS_SYNACK_WITH_WRONG_ACK, "3whs_synack_with_wrong_ack") \
    X(3WHS_SYNACK_FLOOD, "3whs_synack_flood") \
    X(3WHS_SYNACK_TFO_DATA_IGNORED, "3whs_synack_tfo_data_ignored") \
    X(3WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV, "3whs_syn_resend_diff_seq_on_syn_recv") \
    X(3WHS_SYN_TOCLIENT_ON_SYN_RECV, "3whs_syn_toclient_on_syn_recv") \
    X(3WHS_WRONG_SEQ_WRONG_ACK, "3whs_wrong_seq_wrong_ack") \
    X(3WHS_ACK_DATA_INJECT, "3whs_ack_data_inject") \
    X(4WHS_SYNACK_WITH_WRONG_ACK, "4whs_synack_with_wrong_ack") \
    X(4WHS_SYNACK_WITH_WRONG_SYN, "4whs_synack_with_wrong_syn") \
    X(4WHS_WRONG_SEQ, "4whs_wrong_seq") \
    X(4WHS_INVALID_ACK, "4whs_invalid_ack") \
    X(CLOSEWAIT_ACK_OUT_OF_WINDOW, "closewait_ack_out_of_window") \
    X(CLOSEWAIT_FIN_OUT_OF_WINDOW, "closewait_fin_out_of_window") \
    X(CLOSEWAIT_PKT_BEFORE_LAST_ACK, "closewait_pkt_before_last_ack") \
    X(CLOSEWAIT_INVALID_ACK, "closewait_invalid_ack") \
    X(CLOSING_ACK_WRONG_SEQ, "closing_ack_wrong_seq") \
    X(CLOSING_INVALID_ACK, "closing_invalid_ack") \
    X(EST_PACKET_OUT_OF_WINDOW, "est_packet_out_of_window") \
    X(EST_PKT_BEFORE_LAST_ACK, "est_pkt_before_last_ack") \
    X(EST_SYNACK_RESEND, "est_synack_resend") \
    X(EST_SYNACK_RESEND_WITH_DIFF_ACK, "est_synack_resend_with_diff_ack") \
    X(EST_SYNACK_RESEND_WITH_DIFF_SEQ, "est_synack_resend_with_diff_seq") \
    X(EST_SYNACK_TOSERVER, "est_synack_toserver") \
    X(EST_SYN_RESEND, "est_syn_resend") \
    X(EST_SYN_RESEND_DIFF_SEQ, "est_syn_resend_diff_seq") \
    X(EST_SYN_TOCLIENT, "est_syn_toclient") \
    X(EST_INVALID_ACK, "est_invalid_ack") \
    X(FIN_INVALID_ACK, "fin_invalid_ack") \
    X(FIN1_ACK_WRONG_SEQ, "fin1_ack_wrong_seq") \
    X(FIN1_FIN_WRONG_SEQ, "fin1_fin_wrong_seq") \
    X(FIN1_INVALID_ACK, "fin1_invalid_ack") \
    X(FIN2_ACK_WRONG_SEQ, "fin2_ack_wrong_seq") \
    X(FIN2_FIN_WRONG_SEQ, "fin2_fin_wrong_seq") \
    X(FIN2_INVALID_ACK, "fin2_invalid_ack") \
    X(FIN_BUT_NO_SESSION, "fin_but_no_session") \
    X(FIN_OUT_OF_WINDOW, "fin_out_of_window") \
    X(FIN_SYN, "fin_syn") \
    X(LASTACK_ACK_WRONG_SEQ, "lastack_ack_wrong_seq") \
    X(LASTACK_INVALID_ACK, "lastack_invalid_ack") \
    X(RST_BUT_NO_SESSION, "rst_but_no_session") \
    X(TIMEWAIT_ACK_WRONG_SEQ, "timewait_ack_wrong_seq") \
    X(TIMEWAIT_INVALID_ACK, "timewait_invalid_ack") \
    X(SHUTDOWN_SYN_RESEND, "shutdown_syn_resend") \
    X(PKT_INVALID_TIMESTAMP, "pkt_invalid_timestamp") \
    X(PKT_INVALID_ACK, "pkt_invalid_ack") \
    X(PKT_BROKEN_ACK, "pkt_broken_ack") \
    X(RST_INVALID_ACK, "rst_invalid_ack") \
    X(PKT_RETRANSMISSION, "pkt_retransmission") \
    X(PKT_SPURIOUS_RETRANSMISSION, "pkt_spurious_retransmission") \
    X(PKT_BAD_WINDOW_UPDATE, "pkt_bad_window_update") \
    X(SUSPECTED_RST_INJECT, "suspected_rst_inject") \
    X(WRONG_THREAD, "wrong_thread") \
    X(REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ, "reassembly_segment_before_base_seq") \
    X(REASSEMBLY_NO_SEGMENT, "reassembly_no_segment") \
    X(REASSEMBLY_SEQ_GAP, "reassembly_seq_gap") \
    X(REASSEMBLY_OVERLAP_DIFFERENT_DATA, "reassembly_overlap_different_data") \
    X(REASSEMBLY_DEPTH_REACHED, "reassembly_depth_reached")

#define STREAM_EV_ENUM_(id, name) STREAM_EV_##id,
typedef enum StreamEvent { STREAM_EV_LIST(STREAM_EV_ENUM_) STREAM_EV_MAX } StreamEvent;
#undef STREAM_EV_ENUM_

/* The rule spelling of event ev ("est_packet_out_of_window"); "unknown"
 * for values out of range. Thread-safe. */
const char *stream_event_name(unsigned ev);

/* The event named `name`, with or without the "stream." prefix (the rule
 * spellings "..._with_different_ack" are accepted for "..._with_diff_ack",
 * as Suricata does); -1 when
 * unknown (STREAM_EV_NONE is never returned). Thread-safe. */
int stream_event_by_name(const char *name);

#endif
