FROM nginx:alpine AS web
HEALTHCHECK --interval=5s --timeout=2s --retries=12 CMD curl -f http://localhost/ || exit 1

FROM web AS all-options
HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=1h2m3.5s --start-interval=10ms --retries=0 \
    CMD ["wget", "-q", "-O-", "http://localhost/"]

FROM web AS zero
# 0 means "inherit" to Docker; flags written in lower and mixed case type word.
HEALTHCHECK --interval=0 --timeout=0s cmd true

FROM web AS off
HEALTHCHECK NONE
# As BuildKit: NONE never reads its flags.
healthcheck --interval=5s none
