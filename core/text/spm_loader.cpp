#include "text/spm_backend.h"

#include "common/error.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include <dlfcn.h>

namespace mm::text::spm {

namespace {

std::vector<std::string> candidates() {
    std::vector<std::string> c;
    if (const char* env = std::getenv("MM_SPM_MODULE"))
        c.emplace_back(env);
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto dir = exe.parent_path();
        c.push_back((dir / "libmm_spm.so").string());
        c.push_back((dir.parent_path() / "lib" / "micromind" / "libmm_spm.so").string());
    }
#ifdef MM_SPM_MODULE_BUILD_PATH
    c.emplace_back(MM_SPM_MODULE_BUILD_PATH);
#endif
#ifdef MM_SPM_MODULE_INSTALL_PATH
    c.emplace_back(MM_SPM_MODULE_INSTALL_PATH);
#endif
    return c;
}

const Api* loadApi() {
    std::string tried;
    for (const auto& path : candidates()) {
        if (!std::filesystem::exists(path))
            continue;
        void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!h) {
            tried += "\n  " + path + ": " + ::dlerror();
            continue;
        }
        auto fn = reinterpret_cast<const Api* (*)()>(::dlsym(h, "mm_spm_api"));
        const Api* api = fn ? fn() : nullptr;
        if (api && api->abiVersion == kAbiVersion)
            return api;
        tried += "\n  " + path + ": not a compatible libmm_spm module";
    }
    std::string looked;
    for (const auto& p : candidates())
        looked += "\n  " + p;
    throw Error("cannot load the SentencePiece module libmm_spm.so; looked at:" + looked + tried +
                "\nReinstall micromind, or point MM_SPM_MODULE at the file.");
}

} // namespace

const Api& api() {
    static std::once_flag once;
    static const Api* loaded = nullptr;
    static std::exception_ptr failure;
    std::call_once(once, [] {
        try {
            loaded = loadApi();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    if (failure)
        std::rethrow_exception(failure);
    return *loaded;
}

} // namespace mm::text::spm
