// Imports the Kakunin clang module (include/module.modulemap) the way Swift
// does, and uses a few declarations. .ci/run checks it with
//   clang -fmodules -fmodules-cache-path=DIR -fsyntax-only -Werror -I include tests/c/module_import.m
@import Kakunin;

int main(void) {
    kakunin_trust_store *store = 0;
    kakunin_status st = kakunin_trust_store_from_pem_or_der(0, 0, &store);
    return st == KAKUNIN_NULL_PARAMETER && kakunin_abi_version() == KAKUNIN_ABI_VERSION ? 0 : 1;
}
