# Sourced by scripts/containers.sh. Builds local stand-ins for the base images our files pin when a
# registry cannot be reached: a rootfs of busybox plus one binary (and the libraries ldd names),
# tagged with the exact name the Dockerfile or compose file uses, so those files build and run
# unchanged. Each is labelled, so cleanup removes only what this script made.

STAND_IN_LABEL="org.shop.stand-in=containers.sh"

# The busybox of Debian's busybox-static, unpacked (nothing installed) into $STAND_IN_DIR, which the
# caller makes and removes; fetched once, since each stand-in is built in a subshell of its own.
busybox_binary() {
  local binary="$STAND_IN_DIR/busybox/bin/busybox"
  if [ ! -x "$binary" ]; then
    (cd "$STAND_IN_DIR" && apt-get download busybox-static >/dev/null 2>&1) || { echo "apt-get download busybox-static failed" >&2; return 1; }
    dpkg-deb -x "$STAND_IN_DIR"/busybox-static_*.deb "$STAND_IN_DIR/busybox"
  fi
  echo "$binary"
}

# Copies a binary and the shared libraries it loads into the container's rootfs at the same paths.
copy_with_libs() {
  local ctr=$1 binary=$2 target=$3 lib
  buildah copy --quiet "$ctr" "$binary" "$target" >/dev/null
  for lib in $(ldd "$binary" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
    buildah copy --quiet "$ctr" "$(readlink -f "$lib")" "$lib" >/dev/null
  done
}

# A scratch container with busybox (sh, env, wget...), root and one user, and the machine's CA bundle.
base_rootfs() {
  local user=$1 uid=$2 ctr
  ctr=$(buildah from --quiet scratch)
  buildah copy --quiet "$ctr" "$(busybox_binary)" /bin/busybox >/dev/null
  buildah run "$ctr" /bin/busybox mkdir -p /usr/bin /sbin /usr/sbin /tmp /root /etc/ssl/certs "/home/$user"
  buildah run "$ctr" /bin/busybox --install -s
  buildah run "$ctr" /bin/sh -c "chmod 1777 /tmp && chown $uid:$uid /home/$user &&
    printf 'root:x:0:0:root:/root:/bin/sh\n$user:x:$uid:$uid::/home/$user:/bin/sh\n' > /etc/passwd &&
    printf 'root:x:0:\n$user:x:$uid:\n' > /etc/group"
  buildah copy --quiet "$ctr" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
  buildah config --label "$STAND_IN_LABEL" --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  echo "$ctr"
}

# node:<version>-...: the Node binary the project runs on, npm from the machine, user node (1000).
build_node_stand_in() {
  local name=$1 ctr npm_dir
  ctr=$(base_rootfs node 1000)
  copy_with_libs "$ctr" "$(command -v node)" /usr/local/bin/node
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  buildah copy --quiet "$ctr" "$npm_dir" /usr/local/lib/node_modules/npm >/dev/null
  buildah run "$ctr" /bin/sh -c 'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm &&
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx'
  # Outbound HTTPS here goes through an intercepting proxy whose CA only the machine's bundle has.
  buildah config --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd '["node"]' "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
}

# nats:<version>-alpine: the machine's nats-server (its own version, whatever the tag says). Debian's
# 2.9 does not know `sync_interval` (2.10+): the entrypoint drops that line from a config it is given.
build_nats_stand_in() {
  local name=$1 ctr
  ctr=$(base_rootfs nats 1000)
  copy_with_libs "$ctr" "$(command -v nats-server)" /usr/local/bin/nats-server
  buildah copy --quiet --chmod 755 "$ctr" scripts/containers/nats-stand-in.sh /usr/local/bin/nats-stand-in >/dev/null
  buildah config --entrypoint '["/usr/local/bin/nats-stand-in"]' --cmd '["-js"]' --port 4222 --port 8222 --port 6222 "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
}

# prom/prometheus:<version>: Debian's prometheus, as the official image lays it out (user nobody).
build_prometheus_stand_in() {
  local name=$1 ctr
  ctr=$(base_rootfs nobody 65534)
  copy_with_libs "$ctr" "$(command -v prometheus)" /bin/prometheus
  # Debian's build keeps its data in /var/lib/prometheus/metrics2 by default, the image in /prometheus.
  buildah run "$ctr" /bin/sh -c 'mkdir -p /prometheus /etc/prometheus /var/lib/prometheus && chown 65534:65534 /prometheus &&
    ln -s /prometheus /var/lib/prometheus/metrics2'
  buildah config --user nobody --workingdir /prometheus --entrypoint '["/bin/prometheus"]' \
    --cmd '["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' --port 9090 "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
}

# Uses an image that is present or can be pulled; otherwise builds the stand-in. Prints what it did.
ensure_image() {
  local name=$1 builder=$2
  if podman image exists "$name"; then
    echo "present"
  elif timeout 30 podman pull --quiet "$name" >/dev/null 2>&1; then
    echo "pulled"
  else
    "$builder" "$name"
    echo "stand-in built"
  fi
}
