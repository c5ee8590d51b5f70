# syntax=docker/dockerfile:1
# One image recipe for every SpiritStream process; each has its own build target:
#   gateway, profiles, encoder, events, auth
# e.g. `docker build --target profiles -t spiritstream/profiles .` (compose.yaml and k8s/ use these).
ARG DENO_VERSION=2.9.6

# Every workspace member and its npm dependencies, installed once from the lock file.
FROM denoland/deno:debian-${DENO_VERSION} AS source
WORKDIR /app
COPY . .
RUN deno install --frozen

# The dashboard (Vite build), served by the gateway.
FROM source AS web
RUN deno task --cwd web build

# One runtime tree per image (scripts/image_tree.ts): only the entry's import graph, deno.json and
# deno.lock pruned to the npm packages it loads, those packages in its own DENO_DIR (.deno). No
# vite, playwright-core, yaml, kubernetes-models, oidc-provider, tests, testdata/ or bench/.
FROM source AS trees
RUN for entry in gateway/main.ts services/profiles/main.ts services/encoder/main.ts \
  services/events/main.ts services/auth/main.ts; do \
  deno run -A scripts/image_tree.ts assemble "$entry" "/trees/$(basename "$(dirname "$entry")")"; \
  done

FROM denoland/deno:debian-${DENO_VERSION} AS runtime
WORKDIR /app
# Named volumes mounted here start out owned by the unprivileged user.
RUN mkdir -p /data && chown deno:deno /data
ENV DENO_DIR=/app/.deno \
  SPIRITSTREAM_HOST=0.0.0.0 \
  SPIRITSTREAM_DATA_DIR=/data \
  SPIRITSTREAM_HEALTH_PORT=8081 \
  SPIRITSTREAM_LOG_LEVEL=info
USER deno
# /ready: this process's bus connection and store (packages/host/serve_probes.ts).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "--no-config", "const r = await fetch('http://127.0.0.1:8081/ready'); Deno.exit(r.ok ? 0 : 1)"]

FROM runtime AS gateway
COPY --from=trees --chown=deno:deno /trees/gateway /app
COPY --from=web --chown=deno:deno /app/web/dist /app/web/dist
# The gateway answers /health and /ready on its own port: no separate probe server.
ENV SPIRITSTREAM_PORT=8008 \
  SPIRITSTREAM_HEALTH_PORT= \
  SPIRITSTREAM_UI_DIR=/app/web/dist \
  SPIRITSTREAM_TRUST_PROXY=true
EXPOSE 8008
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "--no-config", "const r = await fetch('http://127.0.0.1:8008/health'); Deno.exit(r.ok ? 0 : 1)"]
CMD ["deno", "run", "-A", "--cached-only", "gateway/main.ts"]

FROM runtime AS profiles
COPY --from=trees --chown=deno:deno /trees/profiles /app
CMD ["deno", "run", "-A", "--cached-only", "services/profiles/main.ts"]

FROM runtime AS events
COPY --from=trees --chown=deno:deno /trees/events /app
CMD ["deno", "run", "-A", "--cached-only", "services/events/main.ts"]

FROM runtime AS auth
COPY --from=trees --chown=deno:deno /trees/auth /app
CMD ["deno", "run", "-A", "--cached-only", "services/auth/main.ts"]

# FFmpeg from Debian: x264 in software, NVENC when the NVIDIA runtime passes a GPU in
# (compose profile "gpu", k8s overlay "gpu"), VAAPI/QSV with /dev/dri mapped.
FROM runtime AS encoder
USER root
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg libsrt1.5-openssl \
  && rm -rf /var/lib/apt/lists/*
USER deno
COPY --from=trees --chown=deno:deno /trees/encoder /app
# RTMP ingest (TCP) and SRT ingest (UDP): a profile's input port must match.
EXPOSE 1935/tcp 9000/udp
CMD ["deno", "run", "-A", "--cached-only", "services/encoder/main.ts"]
