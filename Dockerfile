# syntax=docker/dockerfile:1
# Leervraag: one image for SQLite (a volume) or PostgreSQL (DATABASE_URL).
# Build:  docker build -t leervraag .
# Run:    docker run --init -p 3000:3000 -v leervraag-data:/app/data leervraag
# See docs/docker.md and docs/deploy.md.

# Node 22 is the LTS line that every pinned dependency supports (better-sqlite3 12,
# kysely 0.28, tsx 4); the test suite runs on Node >= 20.19. Override with --build-arg.
ARG NODE_VERSION=22

# ---- build: install production dependencies, compiling better-sqlite3's native module
FROM node:${NODE_VERSION}-slim AS build
# better-sqlite3 falls back to compiling SQLite when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# tsx is a runtime dependency (the server runs TypeScript directly), so --omit=dev is enough.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# ---- runtime: the slim image, the app, no compilers
FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite:/app/data/leervraag.db \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app
# Code and dependencies belong to root and are read-only for the app's user;
# only the data folder is writable.
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY views ./views
COPY scripts ./scripts
RUN mkdir -p /app/data && chown node:node /app/data && chmod 0700 /app/data
# The SQLite file (and its WAL) and `npm run backup` copies live here.
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# /healthz: the process answers. (Load balancers should use /readyz, which also checks the database.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# npm passes SIGTERM on to the server, which then shuts down gracefully (src/ops/shutdown.ts).
# Run with --init (or `init: true` in compose) so that a PID 1 reaps processes and forwards signals.
CMD ["npm", "start"]
