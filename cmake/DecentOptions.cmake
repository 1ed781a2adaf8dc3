# Build options. All start with DECENT_. Values are checked here so that a typo gives one clear
# message instead of a silently different build.

option(DECENT_WITH_DNNL "CPU neural-network backend on oneDNN (Debian: libdnnl-dev)" ON)
option(DECENT_WITH_MPI "OpenMPI communicator (Debian: libopenmpi-dev openmpi-bin)" ON)
set(DECENT_WITH_CUDA "AUTO" CACHE STRING
    "GPU backend (cuDNN, cuBLAS, NCCL): ON, OFF, or AUTO (on when nvcc, cuDNN and NCCL are found)")
set_property(CACHE DECENT_WITH_CUDA PROPERTY STRINGS AUTO ON OFF)
option(DECENT_BUILD_PYTHON "Python binding (SWIG; Debian: swig python3-dev python3-numpy)" ON)
option(DECENT_BUILD_JAVA "Java binding (SWIG; Debian: swig default-jdk-headless junit4)" ON)
# Tests and examples build by default only when decent is the top-level project.
option(DECENT_BUILD_TESTS "Build the tests" ${PROJECT_IS_TOP_LEVEL})
option(DECENT_BUILD_EXAMPLES "Build the examples" ${PROJECT_IS_TOP_LEVEL})
option(DECENT_WERROR "Treat compiler warnings in decent's own code as errors" ON)

string(TOUPPER "${DECENT_WITH_CUDA}" _cuda_mode)
if(_cuda_mode MATCHES "^(ON|TRUE|YES|1)$")
  set(DECENT_CUDA_MODE ON)
elseif(_cuda_mode MATCHES "^(OFF|FALSE|NO|0)$")
  set(DECENT_CUDA_MODE OFF)
elseif(_cuda_mode STREQUAL "AUTO")
  set(DECENT_CUDA_MODE AUTO)
else()
  message(FATAL_ERROR "DECENT_WITH_CUDA=${DECENT_WITH_CUDA}: unknown value; expected ON, OFF or AUTO")
endif()

# ccache: the package build (packaging/build-packages.sh) compiles the same sources with the same
# flags a second time; through ccache it reuses the first build's objects instead of doubling the
# compile time. The commands name sources by absolute path and objects relative to the build
# folder, so two build folders share one cache without any path rewriting.
option(DECENT_CCACHE "Compile through ccache when it is installed (Debian: ccache)" ON)
if(DECENT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(DECENT_CCACHE_PROGRAM ccache)
  if(DECENT_CCACHE_PROGRAM)
    foreach(_lang IN ITEMS C CXX CUDA)
      set(CMAKE_${_lang}_COMPILER_LAUNCHER "${DECENT_CCACHE_PROGRAM}")
    endforeach()
  endif()
endif()
