#!/bin/bash -eu
# ClusterFuzzLite runs $SRC/build.sh; the OSS-Fuzz script does the work.
exec bash "$SRC/evack/ci/oss-fuzz/build.sh"
