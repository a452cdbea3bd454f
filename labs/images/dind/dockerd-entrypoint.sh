#!/bin/sh
# The stand-in's entrypoint, with the real docker:dind's defaults (written anew, not
# copied): unless DOCKER_TLS_CERTDIR is set empty, make a CA, a server certificate and a
# client certificate under it (the client's ca.pem, cert.pem, key.pem in
# $DOCKER_TLS_CERTDIR/client) and serve TLS with client verification on 2376; with it
# empty, serve plain TCP on 2375. Arguments are passed on to dockerd.
set -eu

# iptables inside this stand-in's container does not work on every host kernel, and the
# lessons need no NAT inside the sandbox.
set -- --iptables=false "$@"

new_key() {
	[ -s "$1" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# sign NAME EXTENSIONS: a certificate for $dir/NAME/key.pem, signed by the CA.
sign() {
	printf '[ext]\n%s\n' "$2" > "$dir/$1/ext.cnf"
	openssl req -new -key "$dir/$1/key.pem" -subj "/CN=docklab dind stand-in $1" -out "$dir/$1/csr.pem"
	openssl x509 -req -in "$dir/$1/csr.pem" -CA "$dir/ca/cert.pem" -CAkey "$dir/ca/key.pem" -CAcreateserial \
		-days 825 -extfile "$dir/$1/ext.cnf" -extensions ext -out "$dir/$1/cert.pem" 2>/dev/null
	cp "$dir/ca/cert.pem" "$dir/$1/ca.pem"  # written last: a client that sees it sees the rest
}

if [ -n "${DOCKER_TLS_CERTDIR:-}" ]; then
	dir=$DOCKER_TLS_CERTDIR
	mkdir -p "$dir/ca" "$dir/server" "$dir/client"
	new_key "$dir/ca/key.pem"
	openssl req -new -x509 -key "$dir/ca/key.pem" -subj "/CN=docklab dind stand-in CA" -days 825 \
		-addext keyUsage=critical,digitalSignature,keyCertSign -out "$dir/ca/cert.pem"
	san="DNS:localhost,DNS:docker,DNS:$(hostname),IP:127.0.0.1"
	for ip in $(hostname -I); do san="$san,IP:$ip"; done
	new_key "$dir/server/key.pem"
	sign server "extendedKeyUsage = serverAuth
subjectAltName = $san"
	new_key "$dir/client/key.pem"
	chmod 0644 "$dir/client/key.pem"  # for any client context, as the real image does
	sign client "extendedKeyUsage = clientAuth"
	exec dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2376 --tlsverify \
		--tlscacert "$dir/server/ca.pem" --tlscert "$dir/server/cert.pem" --tlskey "$dir/server/key.pem" "$@"
fi
# TLS turned off (DOCKER_TLS_CERTDIR=''): plain TCP, as the real image does.
exec dockerd --host=unix:///var/run/docker.sock --host=tcp://0.0.0.0:2375 --tls=false "$@"
