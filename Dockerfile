# syntax=docker/dockerfile:1
# Build stage: compile better-sqlite3 from source and bundle the server into one file.
FROM node:22-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && mkdir -p /out/node_modules \
 && cp -r dist/. /out/ \
 && cp -r node_modules/better-sqlite3 node_modules/bindings node_modules/file-uri-to-path /out/node_modules/ \
 && rm -rf /out/node_modules/better-sqlite3/deps /out/node_modules/better-sqlite3/src /out/node_modules/better-sqlite3/build/Release/obj*

# Runtime: the bundle, static files, migrations and the native SQLite binding; nothing else.
FROM node:22-slim
ENV NODE_ENV=production \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=65536:glibc.malloc.arena_max=2 \
    SOULSPOT_PORT=8765 \
    SOULSPOT_HOST=0.0.0.0 \
    SOULSPOT_DB=/data/soulspot.db \
    SOULSPOT_SLSKD_URL=http://slskd:5030
WORKDIR /app
COPY --from=build /out/ /app/
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8765
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SOULSPOT_PORT||8765)+'/api/downloads/manager/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
# memory settings: scripts/runtime-tuning.ts
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "soulspot.mjs"]
