/* SWIG interface of decent: wraps the C ABI (capi/include/decent/decent.h), not the C++ engine
 * (docs/design.md). The language parts hold the typemaps: python/decent_python.i, java/decent_java.i.
 * The generated modules are deliberately low level (one function per C entry point); each
 * language adds its idiomatic layer on top (decent/__init__.py, the org.decent classes). */
%module(package="decent", threads="1") capi

%{
#include <decent/decent.h>
%}

%include <stdint.i>

#if defined(SWIGPYTHON)
%include "python/decent_python.i"
#elif defined(SWIGJAVA)
%include "java/decent_java.i"
#endif

/* Handles are opaque: SWIG sees only their pointers. */
%include "decent/decent.h"

#if defined(SWIGPYTHON)
%include "python/decent_python_extra.i"
#elif defined(SWIGJAVA)
%include "java/decent_java_extra.i"
#endif
