// SPDX-License-Identifier: GPL-2.0
/* PROXY protocol v2 headers put into TCP flows on the kernel path (tc on the links where
 * clients reach an NLB: its endpoints' ENIs, and its nodes for clients of the NLB itself).
 *
 * An NLB whose target group asks for PROXY v2 sends its target a header before the
 * client's first byte. A userspace proxy that ends TCP on both sides copies every byte
 * twice more than the kernel path (0.3x of the direct path's bulk rate on two CPUs), so
 * such flows take the kernel path (DNAT, SNAT) and this program adds the header instead:
 *
 * - ingress on the link (client -> NLB, before conntrack): a SYN to a listener in
 *   `listeners` opens a flow; the first ACK after it gets the header between its TCP
 *   header and its payload (most often none: the handshake's last ACK); from then on the
 *   client's sequence numbers are moved up by the header's length; data retransmitted
 *   at the header's place before the target acknowledged the header gets it in front
 *   again (the header's segment may have been lost, leaving a hole);
 * - egress on the link (NLB -> client, after NAT): the target's ACK and SACK numbers
 *   are moved down by as much; an ACK that does not cover the header yet is reported as
 *   acking nothing new. A SYN-ACK sent again means the header's ACK never got there: the
 *   next ACK carries the header again.
 *
 * Conntrack, NAT and the target see one consistent stream (the target's); the client sees
 * its own. A link is known by its MAC address (ifindexes repeat from namespace to
 * namespace; the netns cookie of a forwarded packet is its sender's), which `links` maps
 * to its scope: an ENI, or an NLB for all of its node links (a reply to a client of the
 * NLB itself may leave by another node's link than its flow came in by). Listeners and
 * flows are keyed by scope, so equal tuples on equal ENI addresses are different flows;
 * `flows` is an LRU map, so flows that ended make room by themselves. The header's length
 * is even, so payload moved past it keeps its checksum parity; only the pseudo-header's
 * length and the header's own sum change.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define HDR_MAX 64
#define IP_OFF ETH_HLEN
#define TCP_OFF (ETH_HLEN + 20)
#define SEQ_OFF (TCP_OFF + 4)
#define ACK_OFF (TCP_OFF + 8)
#define CSUM_OFF (TCP_OFF + 16)
#define OPT_OFF (TCP_OFF + 20)
#define CHUNK 128
#define CHUNKS 12 /* payload moved behind a header: at most 1,536 bytes (MTU 1,500) */

#define OPT(i) ({ __u32 _i = (i); asm volatile("%0 &= 63" : "+r"(_i)); _i; })

enum { SYN_SEEN = 1, SENT = 2, ACKED = 3 };

struct link_key {
	__u8 mac[ETH_ALEN]; /* the link's: unique where ifindexes are per namespace */
	__u16 pad;
};

struct listener_key {
	__u64 scope; /* what a link serves: an ENI, or an NLB (all of its node links) */
	__be16 port;
	__u16 pad[3];
};

struct listener {
	__u32 len;            /* even, at most HDR_MAX */
	__u8 header[HDR_MAX]; /* zero past len; addresses and ports filled per flow */
};

struct flow_key {
	__u64 scope;
	__be32 client;
	__be32 eni; /* the address the client reached: an ENI's or a node's */
	__be16 cport;
	__be16 port;
	__u32 pad;
};

struct flow {
	__u32 next; /* the client's first sequence number after its SYN */
	__u32 len;  /* the header's length */
	__u32 state;
	__u32 data_seen; /* data came at `next` once while the header was not acknowledged */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct link_key);
	__type(value, __u64);
} links SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct listener_key);
	__type(value, struct listener);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct flow_key);
	__type(value, struct flow);
} flows SEC(".maps");

/* The scope of the link with this MAC address, or NULL. */
static __always_inline __u64 *scope_of(const __u8 *mac)
{
	struct link_key key = {};

	__builtin_memcpy(key.mac, mac, ETH_ALEN);
	return bpf_map_lookup_elem(&links, &key);
}

/* The IPv4 TCP header of a packet (no IP options, not a fragment), or NULL. */
static __always_inline struct tcphdr *tcp_of(struct __sk_buff *skb, struct ethhdr **ethp,
					     struct iphdr **ipp)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return NULL;
	if (ip->frag_off & bpf_htons(0x3fff))
		return NULL;
	struct tcphdr *tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > end)
		return NULL;
	*ethp = eth;
	*ipp = ip;
	return tcp;
}

static __always_inline struct tcphdr *pulled_tcp_of(struct __sk_buff *skb, struct ethhdr **ethp,
						    struct iphdr **ipp)
{
	struct tcphdr *tcp = tcp_of(skb, ethp, ipp);

	if (tcp || skb->len < TCP_OFF + 20)
		return tcp;
	if (bpf_skb_pull_data(skb, TCP_OFF + 20))
		return NULL;
	return tcp_of(skb, ethp, ipp);
}

/* A TCP packet's flow on one of our links, as the client sent it (`in`: client -> NLB)
 * or as its reply: the TCP header, or NULL for a packet that is none of ours. */
static __always_inline struct tcphdr *flow_key_of(struct __sk_buff *skb, int in,
						  struct flow_key *k, struct iphdr **ipp)
{
	struct ethhdr *eth;
	struct tcphdr *tcp = pulled_tcp_of(skb, &eth, ipp);

	if (!tcp)
		return NULL;
	__u64 *scope = scope_of(in ? eth->h_dest : eth->h_source);
	if (!scope)
		return NULL;
	struct iphdr *ip = *ipp;
	k->scope = *scope;
	k->client = in ? ip->saddr : ip->daddr;
	k->eni = in ? ip->daddr : ip->saddr;
	k->cport = in ? tcp->source : tcp->dest;
	k->port = in ? tcp->dest : tcp->source;
	k->pad = 0;
	return tcp;
}

static __always_inline void replace32(struct __sk_buff *skb, __u32 off, __be32 old, __be32 new)
{
	bpf_skb_store_bytes(skb, off, &new, 4, 0);
	bpf_l4_csum_replace(skb, CSUM_OFF, old, new, 4);
}

/* The client's number for what the target acknowledges as `n`. Until the header is
 * acknowledged, numbers short of its end ack nothing new (compared as signed: valid within
 * 2 GiB of the flow's start); then every number moves down by the header's length. */
static __always_inline __u32 client_view(const struct flow *f, __u32 n)
{
	__u32 end = f->next + f->len;

	return f->state == ACKED || (__s32)(n - end) >= 0 ? n - f->len : f->next;
}

/* Payload [from, from + size) moved `by` bytes toward the tail, last chunk first. */
static __always_inline int move_payload(struct __sk_buff *skb, __u32 from, __u32 size, __u32 by)
{
	__u8 buf[CHUNK];

	for (int i = CHUNKS - 1; i >= 0; i--) {
		__u32 at = i * CHUNK;
		if (at >= size)
			continue;
		__u32 n = size - at;
		if (n > CHUNK)
			n = CHUNK;
		if (n == 0)
			continue;
		n -= 1;
		asm volatile("%0 &= 0x7f" : "+r"(n)); /* 1..CHUNK, as the verifier sees it */
		n += 1;
		if (bpf_skb_load_bytes(skb, from + at, buf, n))
			return -1;
		if (bpf_skb_store_bytes(skb, from + at + by, buf, n, 0))
			return -1;
	}
	return 0;
}

/* The header put between the TCP header and the payload of this ACK. */
static __always_inline int insert(struct __sk_buff *skb, const struct flow_key *k, struct flow *f,
				  struct iphdr *ip, struct tcphdr *tcp)
{
	struct listener_key lk = { .scope = k->scope, .port = k->port };
	struct listener *l = bpf_map_lookup_elem(&listeners, &lk);
	__u8 hdr[HDR_MAX];

	if (!l)
		return TC_ACT_OK;
	__u32 hlen = l->len;
	__u32 thl = tcp->doff * 4;
	__u32 tot = bpf_ntohs(ip->tot_len);
	if (hlen == 0 || hlen > HDR_MAX || (hlen & 1) || thl < 20 || thl > 60 || tot < 20 + thl)
		return TC_ACT_OK;
	__u32 payload = tot - 20 - thl;
	if (payload > CHUNK * CHUNKS || skb->gso_segs > 1)
		return TC_ACT_SHOT; /* sent again, smaller, after a timeout */
	__builtin_memcpy(hdr, l->header, HDR_MAX);
	*(__be32 *)(hdr + 16) = k->client;
	*(__be32 *)(hdr + 20) = k->eni;
	*(__be16 *)(hdr + 24) = k->cport;
	*(__be16 *)(hdr + 26) = k->port;
	__be16 old_tot = ip->tot_len, new_tot = bpf_htons(tot + hlen);
	__be16 old_len = bpf_htons(tot - 20), new_len = bpf_htons(tot - 20 + hlen);
	__u32 at = TCP_OFF + thl;

	if (bpf_skb_change_tail(skb, IP_OFF + tot + hlen, 0))
		return TC_ACT_SHOT;
	if (payload && move_payload(skb, at, payload, hlen))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, at, hdr, hlen, 0) ||
	    bpf_skb_store_bytes(skb, IP_OFF + 2, &new_tot, 2, 0) ||
	    bpf_l3_csum_replace(skb, IP_OFF + 10, old_tot, new_tot, 2) ||
	    bpf_l4_csum_replace(skb, CSUM_OFF, old_len, new_len, BPF_F_PSEUDO_HDR | 2))
		return TC_ACT_SHOT;
	__s64 sum = bpf_csum_diff(NULL, 0, (__be32 *)hdr, HDR_MAX, 0);
	if (sum < 0 || bpf_l4_csum_replace(skb, CSUM_OFF, 0, sum, 0))
		return TC_ACT_SHOT;
	f->state = SENT;
	return TC_ACT_OK;
}

SEC("tc")
int pp_in(struct __sk_buff *skb)
{
	struct flow_key k;
	struct iphdr *ip;
	struct tcphdr *tcp = flow_key_of(skb, 1, &k, &ip);

	if (!tcp)
		return TC_ACT_OK;
	if (tcp->syn) {
		struct listener_key lk = { .scope = k.scope, .port = k.port };
		struct listener *l = tcp->ack ? NULL : bpf_map_lookup_elem(&listeners, &lk);
		if (!l)
			return TC_ACT_OK;
		struct flow f = { .next = bpf_ntohl(tcp->seq) + 1, .len = l->len, .state = SYN_SEEN };
		bpf_map_update_elem(&flows, &k, &f, BPF_ANY);
		return TC_ACT_OK;
	}
	struct flow *f = bpf_map_lookup_elem(&flows, &k);
	if (!f)
		return TC_ACT_OK;
	__be32 seq = tcp->seq;
	if (tcp->ack && !tcp->rst && bpf_ntohl(seq) == f->next && f->state != ACKED) {
		/* The handshake's last ACK gets the header. Data at the header's place before
		 * the target acknowledged it is shifted the first time, like later data; the
		 * same place again is a retransmission, and its target may never have had the
		 * header (its segment lost, the data then left a hole): the header goes in
		 * front again, harmless if it did (the same bytes at the same place). */
		if (f->state == SYN_SEEN)
			return insert(skb, &k, f, ip, tcp);
		if (bpf_ntohs(ip->tot_len) > 20 + tcp->doff * 4) {
			if (f->data_seen)
				return insert(skb, &k, f, ip, tcp);
			f->data_seen = 1;
		}
	}
	replace32(skb, SEQ_OFF, seq, bpf_htonl(bpf_ntohl(seq) + f->len));
	return TC_ACT_OK;
}

/* The SACK blocks of a reply's options, in the client's numbers. */
struct sack_walk {
	__u8 opts[64]; /* 64 bytes, indexes masked with 63 (OPT): offsets the verifier bounds */
	__u32 pos;
	__u32 size;
	__u32 next;
	__u32 len;
	__u32 state;
	int changed;
};

/* One option of a reply (a bpf_loop step, so the verifier checks it once): SACK edges
 * moved into the client's numbers. Returns 1 at the end of the options. */
static long sack_step(__u32 i, void *data)
{
	struct sack_walk *w = data;
	__u32 pos = w->pos;
	const struct flow f = { .next = w->next, .len = w->len, .state = w->state };

	if (pos >= w->size || pos >= 39)
		return 1;
	__u8 kind = w->opts[OPT(pos)];
	if (kind == 0)
		return 1;
	if (kind == 1) {
		w->pos = pos + 1;
		return 0;
	}
	__u8 len = w->opts[OPT(pos + 1)];
	if (len < 2)
		return 1;
	for (int e = 0; kind == 5 && e < 4; e++) {
		__u32 at = pos + 2 + e * 4;
		if (at + 4 > pos + len || at + 4 > w->size)
			break;
		__u32 edge = (__u32)w->opts[OPT(at)] << 24 | (__u32)w->opts[OPT(at + 1)] << 16 |
			     (__u32)w->opts[OPT(at + 2)] << 8 | w->opts[OPT(at + 3)];
		edge = client_view(&f, edge);
		w->opts[OPT(at)] = edge >> 24;
		w->opts[OPT(at + 1)] = edge >> 16;
		w->opts[OPT(at + 2)] = edge >> 8;
		w->opts[OPT(at + 3)] = edge;
		w->changed = 1;
	}
	w->pos = pos + len;
	return 0;
}

/* The SACK blocks of a reply's options, in the client's numbers. */
static __always_inline void sack_to_client(struct __sk_buff *skb, const struct flow *f, __u32 thl)
{
	__u32 size = thl - 20;
	struct sack_walk w = { .size = size, .next = f->next, .len = f->len, .state = f->state };
	__u8 orig[64];

	if (size == 0 || size > 40 || bpf_skb_load_bytes(skb, OPT_OFF, w.opts, size))
		return;
	__builtin_memcpy(orig, w.opts, 64);
	bpf_loop(40, sack_step, &w, 0);
	size = OPT(size - 1) + 1;
	if (!w.changed || size > 40 || bpf_skb_store_bytes(skb, OPT_OFF, w.opts, size, 0))
		return;
	__s64 sum = bpf_csum_diff((__be32 *)orig, 40, (__be32 *)w.opts, 40, 0);
	if (sum >= 0)
		bpf_l4_csum_replace(skb, CSUM_OFF, 0, sum, 0);
}

SEC("tc")
int pp_out(struct __sk_buff *skb)
{
	struct flow_key k;
	struct iphdr *ip;
	struct tcphdr *tcp = flow_key_of(skb, 0, &k, &ip);

	if (!tcp)
		return TC_ACT_OK;
	struct flow *f = bpf_map_lookup_elem(&flows, &k);
	if (!f)
		return TC_ACT_OK;
	if (tcp->syn) {
		if (f->state == SENT)
			f->state = SYN_SEEN;
		return TC_ACT_OK;
	}
	/* Any state: before the header first went in, only the SYN-ACK acknowledges; after
	 * a SYN-ACK re-armed it, the client's data may have been moved already. */
	if (!tcp->ack)
		return TC_ACT_OK;
	__u32 thl = tcp->doff * 4;
	__be32 ack = tcp->ack_seq;
	__be32 mine = bpf_htonl(client_view(f, bpf_ntohl(ack)));
	if (f->state != ACKED && (__s32)(bpf_ntohl(ack) - (f->next + f->len)) >= 0)
		f->state = ACKED;
	if (mine != ack)
		replace32(skb, ACK_OFF, ack, mine);
	if (thl > 20 + 10) /* room for more than timestamps: maybe SACK */
		sack_to_client(skb, f, thl);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
