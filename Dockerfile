# syntax=docker/dockerfile:1
# Outpost in one image: the PWA (web/dist) and its server, on port 8787. docs/deploy.md says how to
# build, run (one container with PGlite in a volume) and deploy it (Kubernetes, on PostgreSQL).
#
#   docker build -t outpost:0.1.0 .
#   docker run -d --name outpost -p 8787:8787 -v outpost-data:/data outpost:0.1.0

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: every dependency (as locked), then the app and the server compiled to plain JavaScript.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && node deploy/build-server.mjs dist/server

# 2. Runtime: Node, the compiled server and admin CLI (shared/ and every package the server uses
#    inlined, so no dev tooling and none of the app's browser libraries), PGlite as installed (it
#    loads its WebAssembly from beside itself), and the built app. No npm, no compiler at start.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8787 \
    HOST=0.0.0.0 \
    OUTPOST_DATA_DIR=/data \
    OUTPOST_WEB_DIR=/app/web/dist
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules/@electric-sql/pglite ./node_modules/@electric-sql/pglite
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/web/dist ./web/dist
# PGlite's files, the admin token and (OUTPOST_TLS=auto) the certificates live in /data.
RUN mkdir -p /data && chown 1000:1000 /data
# The image's "node" user, by number so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
VOLUME ["/data"]
# 8787: HTTP (PORT). 8443: HTTPS when OUTPOST_TLS is auto or custom (OUTPOST_HTTPS_PORT).
EXPOSE 8787 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server ends cleanly on SIGTERM (docker stop, Kubernetes); node is PID 1 and gets it directly.
CMD ["node", "--enable-source-maps", "dist/server/index.mjs"]
