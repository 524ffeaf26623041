"""Linux data plane: network namespaces, veths and bridges (pyroute2), nftables, dnsmasq,
a PROXY-v2 proxy and a health checker. Needs root; see driver.LinuxDriver."""

from __future__ import annotations

from privlink.dataplane.linux.driver import LinuxDriver

__all__ = ["LinuxDriver"]
