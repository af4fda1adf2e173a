#!/bin/sh
# Generates the test reader PKI used by tests/session.rs (ReaderAuth signing).
# Run once; the outputs are committed. Validity: 2024-01-01 .. 2034-01-01 (fixed).
set -eu
cd "$(dirname "$0")"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out reader_root.key.pem
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out reader.key.pem
cat > root.ext <<X
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > leaf.ext <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=1.0.18013.5.1.6
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
mkdir -p ca/newcerts && : > ca/index.txt && echo 01 > ca/serial
cat > ca.cnf <<X
[ca]
default_ca=c
[c]
dir=ca
database=ca/index.txt
new_certs_dir=ca/newcerts
serial=ca/serial
default_md=sha256
policy=p
unique_subject=no
[p]
commonName=supplied
X
openssl req -new -key reader_root.key.pem -subj "/CN=kakunin test reader root" -out root.csr
openssl ca -batch -config ca.cnf -selfsign -keyfile reader_root.key.pem -in root.csr -out reader_root.pem \
  -startdate 20240101000000Z -enddate 20340101000000Z -extfile root.ext -notext
openssl req -new -key reader.key.pem -subj "/CN=kakunin test reader" -out leaf.csr
openssl ca -batch -config ca.cnf -cert reader_root.pem -keyfile reader_root.key.pem -in leaf.csr -out reader.pem \
  -startdate 20240101000000Z -enddate 20340101000000Z -extfile leaf.ext -notext
rm -rf ca ca.cnf root.ext leaf.ext root.csr leaf.csr
