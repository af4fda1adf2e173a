// A C++ translation unit that includes kakunin.h: the header must compile
// cleanly as C++ (-Wall -Wextra -Werror) and declare C linkage, so this links
// against the static library and runs (tests/c_abi/c_api.rs).
#include "kakunin.h"

#include <cstdio>
#include <cstring>

int main() {
    if (std::strcmp(kakunin_version(), KAKUNIN_VERSION) != 0) return 1;
    if (kakunin_abi_version() != KAKUNIN_ABI_VERSION) return 1;
    kakunin_status st = kakunin_debug_panic();
    if (st != KAKUNIN_PANIC) return 1;
    kakunin_trust_store *store = nullptr;
    if (kakunin_trust_store_from_pem_or_der(nullptr, 0, &store) != KAKUNIN_NULL_PARAMETER) return 1;
    kakunin_verification_free(nullptr);
    std::printf("header_cpp: ok\n");
    return 0;
}
