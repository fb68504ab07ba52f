#!/bin/sh
# Installs Debian's Java runtime for the Nu HTML checker (vnu.jar) when java is missing.
set -e
if command -v java >/dev/null 2>&1; then
    exit 0
fi
echo "Installing Debian's Java runtime for the Nu HTML checker..."
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
java -version
