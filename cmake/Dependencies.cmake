# Finds every library nsbench builds against and, when one is missing, names the Debian package
# that provides it, so that a failed configure says exactly what to install.

macro(nsbench_require package debian_package)
  find_package(${package} ${ARGN} QUIET)
  if(NOT ${package}_FOUND)
    message(FATAL_ERROR
      "nsbench: ${package} was not found; install the Debian package '${debian_package}' "
      "(apt-get install ${debian_package}), or run scripts/setup.sh which installs everything.")
  endif()
endmacro()

macro(nsbench_require_program variable program debian_package)
  find_program(${variable} NAMES ${program} PATHS /usr/sbin /sbin)
  if(NOT ${variable})
    message(FATAL_ERROR
      "nsbench: the program '${program}' was not found; install the Debian package "
      "'${debian_package}' (apt-get install ${debian_package}).")
  endif()
endmacro()

nsbench_require(fmt libfmt-dev)
nsbench_require(CLI11 libcli11-dev)
nsbench_require(nlohmann_json nlohmann-json3-dev)
nsbench_require(benchmark libbenchmark-dev)
nsbench_require(GTest libgtest-dev)
nsbench_require(prometheus-cpp prometheus-cpp-dev COMPONENTS core pull push)
nsbench_require(Threads libc6-dev)

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "nsbench: pkg-config was not found; install the Debian package 'pkgconf'.")
endif()
pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET libbpf)
if(NOT LIBBPF_FOUND)
  message(FATAL_ERROR
    "nsbench: libbpf was not found; install the Debian package 'libbpf-dev' (apt-get install libbpf-dev).")
endif()
pkg_check_modules(LIBMNL QUIET IMPORTED_TARGET libmnl)
if(NOT LIBMNL_FOUND)
  message(FATAL_ERROR
    "nsbench: libmnl was not found; install the Debian package 'libmnl-dev' (apt-get install libmnl-dev).")
endif()

nsbench_require_program(NSBENCH_CLANG clang clang)
nsbench_require_program(NSBENCH_BPFTOOL bpftool bpftool)
