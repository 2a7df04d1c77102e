#!/bin/sh
# Entrypoint of the NATS stand-in image (stand-ins.sh): nats-server with the arguments given, except
# that a config file (-c) loses its sync_interval line, which Debian's nats-server 2.9 cannot parse.
set -eu
n=$#
i=0
while [ "$i" -lt "$n" ]; do
  arg=$1
  shift
  i=$((i + 1))
  if [ "$arg" = "-c" ] || [ "$arg" = "--config" ]; then
    grep -v "sync_interval" "$1" > /tmp/nats.conf
    shift
    i=$((i + 1))
    set -- "$@" -c /tmp/nats.conf
  else
    set -- "$@" "$arg"
  fi
done
exec /usr/local/bin/nats-server "$@"
