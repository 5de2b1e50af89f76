# Every third-party dependency becomes one imported target here, so the rest of
# the build only names targets (mm::torch, mm::sentencepiece, ...).

find_package(Threads REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
find_library(SENTENCEPIECE_TRAIN_LIB sentencepiece_train REQUIRED)
add_library(mm_sentencepiece INTERFACE)
target_link_libraries(mm_sentencepiece INTERFACE PkgConfig::SENTENCEPIECE ${SENTENCEPIECE_TRAIN_LIB})
add_library(mm::sentencepiece ALIAS mm_sentencepiece)

# cpp-httplib (Debian's libcpp-httplib-dev is a compiled library): the judge's
# HTTP client and `micromind serve`. pkg-config carries the feature defines
# (OpenSSL, zlib, brotli) the library was built with; they must match.
pkg_check_modules(CPPHTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
add_library(mm_httplib INTERFACE)
target_link_libraries(mm_httplib INTERFACE PkgConfig::CPPHTTPLIB)
add_library(mm::httplib ALIAS mm_httplib)

# LibTorch: Debian's libtorch-dev (1.13, CPU) or the LibTorch inside a pip torch
# wheel (pass -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')).
find_package(Torch REQUIRED)
add_library(mm_torch INTERFACE)
target_link_libraries(mm_torch INTERFACE ${TORCH_LIBRARIES})
# TorchConfig puts its flags (e.g. -D_GLIBCXX_USE_CXX11_ABI) in TORCH_CXX_FLAGS.
separate_arguments(_mm_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(mm_torch INTERFACE ${_mm_torch_flags})
if(TORCH_INCLUDE_DIRS)
  target_include_directories(mm_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
endif()
add_library(mm::torch ALIAS mm_torch)

# Multi-process training (core/train/distributed.cpp) uses c10d's Gloo process
# group, whose header includes Gloo's own headers: Debian ships them in
# libgloo-dev, pip wheels under the LibTorch include dir. Without them the core
# still builds and multi-process runs stop with an error saying what to install.
find_path(MM_GLOO_INCLUDE_DIR gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
if(NOT MM_GLOO_INCLUDE_DIR)
  message(WARNING "Gloo headers (gloo/algorithm.h) not found: multi-process CPU training is disabled; "
                  "install libgloo-dev (Debian) and reconfigure")
  target_compile_definitions(mm_torch INTERFACE MM_NO_GLOO=1)
endif()

set(MM_HAVE_CUDA OFF)
if(MM_CUDA STREQUAL "auto")
  if(TARGET torch_cuda OR CUDA_FOUND)
    set(MM_HAVE_CUDA ON)
  endif()
elseif(MM_CUDA)
  if(NOT (TARGET torch_cuda OR CUDA_FOUND))
    message(FATAL_ERROR "MM_CUDA=ON but the LibTorch found at ${Torch_DIR} has no CUDA support")
  endif()
  set(MM_HAVE_CUDA ON)
endif()
message(STATUS "MicroMind: LibTorch ${Torch_VERSION} at ${Torch_DIR}, CUDA: ${MM_HAVE_CUDA}")
