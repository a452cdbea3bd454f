"""The iptables rules a classroom puts before its learners' network (tutor/classroom/egress.py),
for each --egress: the cloud's metadata address and this machine's ports but the hub's two are
refused whatever it says. That they hold for a learner's real server (a port of this machine
refused, the hub's reached, the chains gone after `down`): tests/engine/test_classroom.py."""

from __future__ import annotations

import pytest

from tutor.classroom.egress import METADATA, PRIVATE, EgressError, chains, rules

PORTS = [8081, 8181]


def verdicts(chain: list[list[str]]) -> list[str]:
    return [" ".join(rule) for rule in chain]


@pytest.mark.parametrize("mode", ["internet", "lan", "none"])
def test_metadata_and_this_machines_other_ports_are_refused_whatever_the_mode(mode):
    to_host, beyond = rules(PORTS, mode)
    assert verdicts(to_host) == [
        "-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
        "-p tcp -m multiport --dports 8081,8181 -j RETURN",
        "-p udp --dport 53 -j RETURN",
        "-p tcp --dport 53 -j RETURN",
        "-j REJECT",  # the proxy, ssh, an engine's TCP port: anything else on this machine
    ]
    assert verdicts(beyond)[:2] == ["-m conntrack --ctstate ESTABLISHED,RELATED -j RETURN", f"-d {METADATA} -j REJECT"]


def test_what_each_mode_lets_out():
    assert verdicts(rules(PORTS, "lan")[1])[2:] == []
    assert verdicts(rules(PORTS, "none")[1])[2:] == ["-j REJECT"]
    internet = verdicts(rules(PORTS, "internet")[1])[2:]
    assert internet[:2] == ["-p udp --dport 53 -j RETURN", "-p tcp --dport 53 -j RETURN"]  # a resolver on the LAN
    assert internet[2:] == [f"-d {net} -j REJECT" for net in PRIVATE]
    with pytest.raises(EgressError, match="one of internet, lan, none"):
        rules(PORTS, "everything")


def test_each_classroom_has_chains_of_its_own_within_iptables_length():
    names = [chains(n) for n in ("docklab-class", "a" * 31, "b" * 31)]
    assert len({c for pair in names for c in pair}) == 6 and all(len(c) <= 28 for pair in names for c in pair)
