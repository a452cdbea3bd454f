"""What a learner's server may reach besides the hub: iptables rules for the learners' network,
in two chains of the classroom's own, made by `classroom up` and removed by `down`. A learner
is root in their server and can send anything from it.

Refused whatever `--egress` says: the cloud's metadata address (169.254.0.0/16; on a cloud VM
169.254.169.254 hands out the machine's credentials) and every port of this machine but the
two the servers need, the hub's API and the view (not the proxy, ssh, an engine's TCP port).
`--egress` says what else they reach:
- `internet` (the default): the internet, not the private networks (the instructor's LAN,
  this machine's other containers), except for DNS;
- `lan`: the internet and the private networks;
- `none`: nothing beyond this machine's two ports.
IPv4 only: the learners' network has no IPv6."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

MODES = ("internet", "lan", "none")
METADATA = "169.254.0.0/16"
PRIVATE = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
ANSWERS = ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"]  # replies to what was let in
DNS = [["-p", "udp", "--dport", "53", "-j", "RETURN"], ["-p", "tcp", "--dport", "53", "-j", "RETURN"]]
REJECT = ["-j", "REJECT"]


class EgressError(RuntimeError):
    """The rules could not be made; the message says why."""


def chains(name: str) -> tuple[str, str]:
    """The classroom's chains (iptables names are at most 28 characters): to this machine, and beyond."""
    tag = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"DOCKLAB-{tag}-IN", f"DOCKLAB-{tag}-OUT"


def rules(ports: list[int], mode: str) -> tuple[list[list[str]], list[list[str]]]:
    """The two chains' rules, in order, for packets from the learners' network: to this
    machine (only `ports`, the hub's API and the view's, and DNS), and beyond it."""
    if mode not in MODES:
        raise EgressError(f"--egress is one of {', '.join(MODES)}, not {mode!r}")
    to_host = [ANSWERS, ["-p", "tcp", "-m", "multiport", "--dports", ",".join(map(str, ports)), "-j", "RETURN"]]
    to_host += [*DNS, REJECT]
    beyond = [ANSWERS, ["-d", METADATA, *REJECT]]
    if mode == "none":
        beyond.append(REJECT)
    elif mode == "internet":
        beyond += [*DNS, *(["-d", net, *REJECT] for net in PRIVATE)]
    return to_host, beyond


def _iptables(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["iptables", "-w", *args], capture_output=True, text=True, timeout=60)
    if check and done.returncode:
        raise EgressError(f"iptables {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def _forward_chain() -> str:
    """Docker's chain for rules of one's own, consulted before its own (FORWARD without it)."""
    return "DOCKER-USER" if _iptables("-S", "DOCKER-USER", check=False).returncode == 0 else "FORWARD"


def _unhook(name: str) -> None:
    inward, outward = chains(name)
    for parent, chain in (("INPUT", inward), ("DOCKER-USER", outward), ("FORWARD", outward)):
        listed = _iptables("-S", parent, check=False).stdout.splitlines()
        for rule in listed:
            if rule.endswith(f"-j {chain}"):
                _iptables(*rule.replace("-A", "-D", 1).split())


def apply(name: str, subnet: str, ports: list[int], mode: str) -> None:
    """Make (or make again) the classroom's chains and hook them in for `subnet`."""
    if shutil.which("iptables") is None:
        raise EgressError(
            "iptables is not installed: a classroom keeps its learners off this machine's other ports with it"
        )
    to_host, beyond = rules(ports, mode)
    remove(name)
    for chain, body in zip(chains(name), (to_host, beyond)):
        _iptables("-N", chain)
        for rule in body:
            _iptables("-A", chain, *rule)
    inward, outward = chains(name)
    _iptables("-I", "INPUT", "-s", subnet, "-j", inward)
    _iptables("-I", _forward_chain(), "-s", subnet, "-j", outward)


def remove(name: str) -> None:
    """The classroom's chains gone, and every jump to them (none there: nothing to do)."""
    if shutil.which("iptables") is None:
        return
    _unhook(name)
    for chain in chains(name):
        if _iptables("-S", chain, check=False).returncode == 0:
            _iptables("-F", chain)
            _iptables("-X", chain)


def listed(name: str) -> str:
    """The classroom's chains as `iptables -S` prints them ("" when there are none)."""
    return "".join(_iptables("-S", chain, check=False).stdout for chain in chains(name))
