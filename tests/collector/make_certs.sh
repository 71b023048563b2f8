#!/bin/sh
# make_certs.sh DIR — test certificates for the HTTPS test collector, made
# with the openssl command (EC P-256, valid 2 days):
#   ca.crt ca.key                   the test CA
#   server.crt server.key           for 127.0.0.1, ::1 and localhost, signed by ca
#   server.pin                      "sha256//<base64>" of server's public key (curl pin syntax)
#   client.crt client.key           CN=complyd-test-client, clientAuth, signed by ca
#   wrong-ca.crt wrong-ca.key       another CA nobody trusts
#   wrong-server.crt wrong-server.key  same names as server.crt, signed by wrong-ca
set -eu
dir=${1:?usage: make_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # name CN
        key "$1.key"
        openssl req -x509 -new -key "$1.key" -sha256 -days 2 -subj "/O=complyd tests/CN=$2" \
                -addext "basicConstraints=critical,CA:TRUE" \
                -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.crt"
}

leaf() { # name CA-name subject extensions...
        name=$1 issuer=$2 subj=$3
        shift 3
        key "$name.key"
        openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
        printf '%s\n' "basicConstraints=critical,CA:FALSE" \
                "keyUsage=critical,digitalSignature,keyEncipherment" "$@" >"$name.ext"
        openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" \
                -CAcreateserial -days 2 -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
        rm -f "$name.csr" "$name.ext"
}

SERVER_EXT="subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"
ca ca "complyd test CA"
ca wrong-ca "complyd wrong CA"
leaf server ca "/O=complyd tests/CN=localhost" "$SERVER_EXT" "extendedKeyUsage=serverAuth"
leaf wrong-server wrong-ca "/O=complyd tests/CN=localhost" "$SERVER_EXT" "extendedKeyUsage=serverAuth"
leaf client ca "/O=complyd tests/CN=complyd-test-client" "extendedKeyUsage=clientAuth"
printf 'sha256//%s\n' "$(openssl pkey -in server.key -pubout -outform DER | openssl dgst -sha256 -binary | openssl base64 -A)" >server.pin
rm -f ./*.srl
chmod 0644 ./*.crt server.pin
