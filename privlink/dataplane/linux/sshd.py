"""sshd for instances launched with a key pair: the bastion of the access paths.

Debian's OpenSSH server runs inside the instance's namespace on port 22 with its own
configuration, host key and authorized_keys under the instance's state dir; nothing on
the host changes. Only `ec2-user` may log in, with the key pair's key and nothing else.

The login name needs a passwd entry, and the host has no ec2-user: the daemon starts in
a mount namespace of its own (`unshare -m`) in which /etc/passwd is a copy of the host's
plus one line, `ec2-user` with uid 0 and its home in the state dir. So authentication is
for ec2-user only (AllowUsers; root is refused), and a session runs as root inside the
instance's namespace, as an instance's own root would. Every process the session starts
inherits that view; the host's /etc/passwd is never touched. The one thing made outside
the state dir is sshd's empty privilege-separation directory /run/sshd, which Debian's
own service would make (RuntimeDirectory).
"""

from __future__ import annotations

from privlink.dataplane.linux.daemons import DaemonSpec

PORT = 22
LOGIN = "ec2-user"
SSHD = "/usr/sbin/sshd"

CONFIG = """\
Port {port}
ListenAddress 0.0.0.0
HostKey {dir}/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile {dir}/authorized_keys
AllowUsers {login}
PermitRootLogin prohibit-password
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
AllowStreamLocalForwarding no
PermitTunnel no
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
Subsystem sftp internal-sftp
"""

# Inside the daemon's own mount namespace: host key made once, passwd with ec2-user
# bound over /etc/passwd, then sshd in the foreground (same PID: exec).
START = (
    "set -e; cd {dir}; mkdir -p home; mkdir -p -m 0755 /run/sshd; "
    "test -s ssh_host_ed25519_key || ssh-keygen -q -t ed25519 -N '' -f ssh_host_ed25519_key; "
    "cat /etc/passwd > passwd; "
    "echo '{login}:x:0:0:EC2 Default User:{dir}/home:/bin/bash' >> passwd; "
    "mount --bind passwd /etc/passwd; "
    "exec {sshd} -D -e -f {dir}/sshd_config"
)


def daemon(instance_id: str, netns: str, public_key: str) -> DaemonSpec:
    """The bastion daemon of one instance (its key pair's public key)."""
    config = CONFIG.format(port=PORT, login=LOGIN, dir="{dir}")
    return DaemonSpec(
        kind="sshd",
        owner=instance_id,
        netns=netns,
        directory=f"instances/{instance_id}/sshd",
        argv=(
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            START.format(login=LOGIN, sshd=SSHD, dir="{dir}"),
        ),
        files=(
            ("sshd_config", config, 0o600),
            ("authorized_keys", public_key.strip() + "\n", 0o600),
        ),
        ready=f"Server listening on 0.0.0.0 port {PORT}",
    )
