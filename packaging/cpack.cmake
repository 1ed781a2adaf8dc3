# Packages (docs/packaging.md): one CPack component per package, .deb and .rpm from the same
# components, so that one build, one version (decent.h, via project()) and one list of files
# give both. packaging/build-packages.sh runs it; `cpack` alone works after a build with
# -DCMAKE_INSTALL_PREFIX=/usr.
#
# component   Debian            RPM             contents
# lib         libdecent0        decent-libs     libdecent.so.0*, the private engine library
# dev         libdecent-dev     decent-devel    decent.h, libdecent.so, decent.pc, CMake config
# cli         decent            decent          the decent command, its man page
# python      python3-decent    python3-decent  the Python package (dist-packages)
# java        libdecent-java    decent-java     decent.jar (+ javadoc) in /usr/share/java
# jni         libdecent-jni     decent-jni      the JNI library in the multiarch jni folder
# julia       julia-decent      decent-julia    the Julia module under /usr/share/julia
# cuda        libdecent-cuda0   decent-cuda     the GPU backend and plugin (the only CUDA users)

set(_pkg_names lib libdecent0 dev libdecent-dev cli decent python python3-decent
    java libdecent-java jni libdecent-jni julia julia-decent cuda libdecent-cuda0)
set(_rpm_names lib decent-libs dev decent-devel cli decent python python3-decent
    java decent-java jni decent-jni julia decent-julia cuda decent-cuda)

# Each package's copyright file and Debian changelog (Debian policy 12.5 and 12.7).
configure_file("${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in"
  "${PROJECT_BINARY_DIR}/packaging/changelog.Debian" @ONLY)
execute_process(COMMAND gzip -9nf "${PROJECT_BINARY_DIR}/packaging/changelog.Debian")
set(_components "")
list(LENGTH _pkg_names _len)
math(EXPR _last "${_len} - 1")
foreach(_i RANGE 0 ${_last} 2)
  math(EXPR _j "${_i} + 1")
  list(GET _pkg_names ${_i} _component)
  list(GET _pkg_names ${_j} _deb)
  list(APPEND _components ${_component})
  string(TOUPPER ${_component} _C)
  set(CPACK_DEBIAN_${_C}_PACKAGE_NAME ${_deb})
  install(FILES "${CMAKE_CURRENT_LIST_DIR}/debian/copyright"
                "${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${_deb}" COMPONENT ${_component})
  # lintian overrides, each with its reason (packaging/debian/lintian/<package>).
  configure_file("${CMAKE_CURRENT_LIST_DIR}/debian/lintian/common.in"
    "${PROJECT_BINARY_DIR}/packaging/lintian/${_deb}" @ONLY)
  if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/debian/lintian/${_deb}")
    file(READ "${CMAKE_CURRENT_LIST_DIR}/debian/lintian/${_deb}" _own)
    file(APPEND "${PROJECT_BINARY_DIR}/packaging/lintian/${_deb}" "${_own}")
  endif()
  install(FILES "${PROJECT_BINARY_DIR}/packaging/lintian/${_deb}"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/lintian/overrides" COMPONENT ${_component})
  list(GET _rpm_names ${_j} _rpm)
  set(CPACK_RPM_${_C}_PACKAGE_NAME ${_rpm})
  set(CPACK_RPM_${_C}_USER_FILELIST "%exclude /usr/share/lintian/overrides/${_deb}")
endforeach()
if(NOT DECENT_HAVE_CUDA)
  list(REMOVE_ITEM _components cuda)
endif()
set(CPACK_COMPONENTS_ALL ${_components})

# The man page of the command, from its --help (help2man, Debian package help2man).
find_program(DECENT_HELP2MAN help2man)
if(DECENT_HELP2MAN)
  add_custom_command(OUTPUT "${PROJECT_BINARY_DIR}/packaging/decent.1.gz"
    COMMAND "${DECENT_HELP2MAN}" --no-info --version-string=${PROJECT_VERSION}
            --name=decentralized\ deep-learning\ training $<TARGET_FILE:decent_cli>
            -o "${PROJECT_BINARY_DIR}/packaging/decent.1"
    COMMAND gzip -9nf "${PROJECT_BINARY_DIR}/packaging/decent.1"
    DEPENDS decent_cli VERBATIM)
  add_custom_target(decent_man_page ALL DEPENDS "${PROJECT_BINARY_DIR}/packaging/decent.1.gz")
  install(FILES "${PROJECT_BINARY_DIR}/packaging/decent.1.gz"
          DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT cli)
endif()

set(CPACK_PACKAGE_NAME decent)
set(CPACK_PACKAGE_VENDOR "The decent developers")
set(CPACK_PACKAGE_CONTACT "The decent developers <decent-dev@lists.decent.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "decentralized data-parallel deep-learning training")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://decent.invalid")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/dist")
set(CPACK_GENERATOR DEB RPM)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

# Debian: dependencies from what the binaries link (dpkg-shlibdeps) plus the components' own.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Each component is looked at alone: the libraries of libdecent0 (the engine, libdecent) are
# found in the build folder, and the dependency on them is the component's own (= version).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${PROJECT_BINARY_DIR}")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_JAVA_PACKAGE_SECTION java)
set(CPACK_DEBIAN_JNI_PACKAGE_SECTION java)
set(CPACK_DEBIAN_JULIA_PACKAGE_SECTION science)
set(CPACK_DEBIAN_CUDA_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_JAVA_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_JULIA_PACKAGE_ARCHITECTURE all)
set(CPACK_STRIP_FILES ON)
# The library package's control files: shlibs (libdecent for >= this version; the private
# engine, whose soname is the full version, for exactly this package), the symbols file (checked
# against the library by tests/packaging/check_symbols.sh), the ldconfig trigger, and
# maintainer scripts that leave ldconfig to that trigger (CPack would call it from them).
set(_control "${PROJECT_BINARY_DIR}/packaging/lib")
file(WRITE "${_control}/shlibs"
  "libdecent ${DECENT_ABI_VERSION} libdecent0 (>= ${PROJECT_VERSION})\n"
  "libdecent_engine ${PROJECT_VERSION} libdecent0 (= ${PROJECT_VERSION}-1)\n")
configure_file("${CMAKE_CURRENT_LIST_DIR}/debian/libdecent0.symbols" "${_control}/symbols" COPYONLY)
file(WRITE "${_control}/triggers" "activate-noawait ldconfig\n")
foreach(_script postinst postrm)
  file(WRITE "${_control}/${_script}"
    "#!/bin/sh\n# ldconfig runs from the package's trigger (activate-noawait ldconfig).\nset -e\nexit 0\n")
endforeach()
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA
  "${_control}/shlibs;${_control}/symbols;${_control}/triggers;${_control}/postinst;${_control}/postrm")
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# python3-decent: Python writes byte-code caches (__pycache__) next to the modules it imports;
# they are compiled at installation and removed with the package, as dh_python3 does.
set(_control "${PROJECT_BINARY_DIR}/packaging/python")
file(WRITE "${_control}/postinst" "#!/bin/sh\nset -e\nif [ \"$1\" = configure ] && command -v py3compile > /dev/null 2>&1; then\n  py3compile -p python3-decent\nfi\n")
file(WRITE "${_control}/prerm" "#!/bin/sh\nset -e\nif command -v py3clean > /dev/null 2>&1; then\n  py3clean -p python3-decent\nfi\nrm -rf /usr/lib/python3/dist-packages/decent/__pycache__\n")
set(CPACK_DEBIAN_PYTHON_PACKAGE_CONTROL_EXTRA "${_control}/postinst;${_control}/prerm")
set(CPACK_DEBIAN_PYTHON_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# (libdecent-cuda0's plugins live in a private folder, <libdir>/decent: no ldconfig at all.)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "python3, python3-numpy")
# decent.torch (decentralized optimizers for PyTorch loops) needs PyTorch; the rest does not.
set(CPACK_DEBIAN_PYTHON_PACKAGE_SUGGESTS "python3-torch")

# RPM: automatic requires from the binaries.
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
# Folders the base system owns; the packages own only their files and their own folders.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /usr/share/man /usr/share/man/man1
    /usr/share/lintian /usr/share/lintian/overrides /usr/share/java /usr/share/julia
    /usr/lib/python3 /usr/lib/python3/dist-packages
    /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/jni
    /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/pkgconfig /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/cmake)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${CPACK_PACKAGE_CONTACT}")
# CPack's component dependencies are Debian's only: the RPMs say theirs here.
set(_same "= ${PROJECT_VERSION}")
set(CPACK_RPM_DEV_PACKAGE_REQUIRES "decent-libs ${_same}")
set(CPACK_RPM_CLI_PACKAGE_REQUIRES "decent-libs ${_same}")
set(CPACK_RPM_PYTHON_PACKAGE_REQUIRES "decent-libs ${_same}, python(abi) >= 3, python3-numpy")
set(CPACK_RPM_JNI_PACKAGE_REQUIRES "decent-libs ${_same}")
set(CPACK_RPM_JAVA_PACKAGE_REQUIRES "decent-jni ${_same}")
set(CPACK_RPM_JULIA_PACKAGE_REQUIRES "decent-libs ${_same}")
set(CPACK_RPM_CUDA_PACKAGE_REQUIRES "decent-libs ${_same}")
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_GROUP "Development/Libraries")
set(CPACK_RPM_JAVA_PACKAGE_ARCHITECTURE noarch)
set(CPACK_RPM_JULIA_PACKAGE_ARCHITECTURE noarch)

# Descriptions (Debian: the first line is the synopsis) and the packages' own dependencies.
set(CPACK_COMPONENT_LIB_DESCRIPTION "decentralized deep-learning training library (C ABI)
decent trains deep networks data-parallel on many nodes that average their
models with their neighbours in a communication graph (gossip), with the
accuracy of all-reduce. This package holds libdecent, its stable C ABI, and
the engine library it uses.")
set(CPACK_COMPONENT_DEV_DESCRIPTION "decentralized deep-learning training library (development)
The C header decent/decent.h, the libdecent.so link, the pkg-config file
and the CMake package config (find_package(decent) gives decent::decent).")
set(CPACK_COMPONENT_CLI_DESCRIPTION "decentralized deep-learning training (command line)
The decent command: topologies and their spectral gaps, gossip consensus,
the convergence lab, and decentralized training of ResNets on real data,
in-process or under mpirun.")
set(CPACK_COMPONENT_PYTHON_DESCRIPTION "decentralized deep-learning training (Python 3)
The decent module: topologies, datasets, models and decentralized training
from Python, over libdecent's C ABI; decent.torch makes any torch.optim
optimizer decentralized (with python3-torch).")
set(CPACK_COMPONENT_JAVA_DESCRIPTION "decentralized deep-learning training (Java)
decent.jar: the org.decent classes over libdecent's C ABI; their native
half is in libdecent-jni.")
set(CPACK_COMPONENT_JNI_DESCRIPTION "decentralized deep-learning training (JNI library)
The native half of decent.jar, in the multiarch jni folder.")
set(CPACK_COMPONENT_JULIA_DESCRIPTION "decentralized deep-learning training (Julia module)
The Decent Julia package (ccall over libdecent's C ABI) under
/usr/share/julia.")
set(CPACK_COMPONENT_CUDA_DESCRIPTION "decentralized deep-learning training (CUDA backend)
The GPU backend (cuDNN, cuBLAS, NCCL) that libdecent loads when a CUDA
device is asked for; the other packages install and run without it.")
set(CPACK_COMPONENT_DEV_DEPENDS lib)
set(CPACK_COMPONENT_CLI_DEPENDS lib)
set(CPACK_COMPONENT_PYTHON_DEPENDS lib)
set(CPACK_COMPONENT_JNI_DEPENDS lib)
set(CPACK_COMPONENT_JAVA_DEPENDS jni)
set(CPACK_COMPONENT_JULIA_DEPENDS lib)
set(CPACK_COMPONENT_CUDA_DEPENDS lib)
include(CPack)
