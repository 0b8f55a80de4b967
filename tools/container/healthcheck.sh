#!/usr/bin/env bash
# The health check of every MlStack image (HEALTHCHECK) and of the published compose services: one HTTP GET to
# 127.0.0.1:PORT PATH that succeeds only on a 200 status line. bash opens the socket itself (/dev/tcp): the .NET
# and CUDA images have neither curl nor wget, and adding one only for probes grows every image. The compose
# publisher passes these lines to `bash -c` in images that have bash but not this file (Chroma), so keep every
# line a command or a whole-line comment.
# Usage: mlstack-healthcheck PORT PATH
[ "$#" -eq 2 ] || { echo "usage: mlstack-healthcheck PORT PATH" >&2; exit 2; }
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3
head -n 1 <&3 | grep -q ' 200 '
