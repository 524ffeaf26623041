// SPDX-License-Identifier: GPL-2.0
/* The subnet shortcut: a frame that enters a VPC router's subnet bridge from one port and
 * is for a host on another port of the same bridge goes straight into that host's
 * namespace (tc ingress on the port, bpf_redirect_peer), past the bridge and the CPU's
 * backlog queue.
 *
 * Every hop between namespaces costs a packet a second trip through the receive path:
 * an endpoint's traffic crosses two subnet bridges (consumer instance -> ENI, NLB node
 * -> target) on top of what the direct path crosses, and skipping them is worth ~5 % of
 * a single stream's bulk rate on the endpoint path (docs/benchmarks.md). Nothing is
 * filtered on a bridge (frames inside a subnet skip netfilter, as in a VPC), so nothing
 * a packet would meet there is skipped.
 *
 * Only IPv4 unicast to a host the maps know takes the shortcut; ARP, broadcast, frames
 * for the router itself and for hosts the maps do not hold take the bridge as before.
 * The maps are keyed by the router's network namespace (the cookie of the device the
 * frame arrived on: ifindexes repeat across namespaces, and the socket's cookie is its
 * sender's) and by bridge, so a frame never leaves its subnet this way:
 *   ports: (netns, ifindex of the port it arrived on) -> its bridge's ifindex
 *   hosts: (netns, bridge, destination MAC) -> ifindex of the port whose peer holds it
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The few kernel fields read (CO-RE: libbpf finds their offsets in the kernel's BTF). */
struct net {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	possible_net_t nd_net;
} __attribute__((preserve_access_index));

struct sk_buff {
	struct net_device *dev;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *) __ksym;

struct port_key {
	__u64 netns;
	__u32 ifindex;
	__u32 pad;
};

struct host_key {
	__u64 netns;
	__u32 bridge;
	__u8 mac[ETH_ALEN];
	__u16 pad;
	__u32 pad2; /* 24 bytes, every one of them set */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct port_key);
	__type(value, __u32);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct host_key);
	__type(value, __u32);
} hosts SEC(".maps");

SEC("tc")
int shortcut(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);
	struct port_key port = {.netns = kskb->dev->nd_net.net->net_cookie,
				.ifindex = skb->ifindex};
	__u32 *bridge = bpf_map_lookup_elem(&ports, &port);
	if (!bridge)
		return TC_ACT_OK;
	struct host_key host = {.netns = port.netns, .bridge = *bridge};
	__builtin_memcpy(host.mac, eth->h_dest, ETH_ALEN);
	__u32 *out = bpf_map_lookup_elem(&hosts, &host);
	if (!out || *out == skb->ifindex)
		return TC_ACT_OK;
	return bpf_redirect_peer(*out, 0);
}

char LICENSE[] SEC("license") = "GPL";
