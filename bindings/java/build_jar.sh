#!/bin/sh
# Compiles SWIG's generated classes (GEN_DIR/*.java, known only after SWIG ran) and decent's own
# classes, then packs decent.jar.   usage: build_jar.sh JAVAC JAR GEN_DIR OUT_JAR SOURCES...
set -eu
javac=$1 jar=$2 gen=$3 out=$4
shift 4
rm -rf classes && mkdir classes
"$javac" -nowarn -encoding UTF-8 -d classes "$gen"/*.java "$@"
"$jar" cf "$out" -C classes .
