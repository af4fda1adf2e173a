#!/bin/sh
# Generates the test reader PKI used by tests/proximity/session.rs (ReaderAuth signing).
# Run once; the outputs are committed. Validity: 2024-01-01 .. 2034-01-01 (fixed).
set -eu
cd "$(dirname "$0")"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out reader_root.key.pem
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out reader.key.pem
cat > root.ext <<X
basicConstraints=critical,CA:TRUE,pathlen:1
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
# A second reader certificate issued through an intermediate CA.
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out reader_intermediate.key.pem
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out reader_via_intermediate.key.pem
cat > int.ext <<X
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
openssl req -new -key reader_intermediate.key.pem -subj "/CN=kakunin test reader intermediate" -out int.csr
openssl ca -batch -config ca.cnf -cert reader_root.pem -keyfile reader_root.key.pem -in int.csr \
  -out reader_intermediate.pem -startdate 20240101000000Z -enddate 20340101000000Z -extfile int.ext -notext
openssl req -new -key reader_via_intermediate.key.pem -subj "/CN=kakunin test reader 2" -out leaf2.csr
openssl ca -batch -config ca.cnf -cert reader_intermediate.pem -keyfile reader_intermediate.key.pem -in leaf2.csr \
  -out reader_via_intermediate.pem -startdate 20240101000000Z -enddate 20340101000000Z -extfile leaf.ext -notext
# The same root (name and key) re-issued with pathlen:0: forbids the intermediate.
sed 's/pathlen:1/pathlen:0/' root.ext > root0.ext
openssl ca -batch -config ca.cnf -selfsign -keyfile reader_root.key.pem -in root.csr -out reader_root_pathlen0.pem \
  -startdate 20240101000000Z -enddate 20340101000000Z -extfile root0.ext -notext
rm -rf ca ca.cnf root.ext root0.ext leaf.ext int.ext root.csr leaf.csr int.csr leaf2.csr
