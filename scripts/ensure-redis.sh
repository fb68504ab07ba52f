#!/bin/sh
# Starts the machine's Redis when it is installed but does not answer on 127.0.0.1:6379, for the
# tests of the sign-in limit shared by several hosts (tests/test_shared_rate_limit.py,
# tests/test_two_hosts.py). Where there is no Redis at all those tests skip, and say so.
answers() {
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
}
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "Redis is not installed: its tests will be skipped."
    exit 0
fi
if answers; then
    exit 0
fi
echo "Starting Redis..."
# In the background, on the loopback only, keeping nothing on disk: the tests need no data kept.
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/redis-6379.log || true
for _ in $(seq 1 30); do answers && exit 0; sleep 1; done
echo "Redis is not running on 127.0.0.1:6379: its tests will be skipped."
