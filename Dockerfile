# syntax=docker/dockerfile:1
# One image for all four apps; pick one with the command:
#   api (default)  node dist/apps/api/src/main.js
#   web            node dist/apps/web/src/main.js   (the portal, WEB_PORT 3001)
#   worker         node dist/apps/worker/src/main.js
#   cli            node dist/apps/cli/src/main.js db:migrate | db:seed:demo | admin create-admin <email>
# Debian (glibc), not alpine: argon2 and msgpackr-extract load glibc prebuilds.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: full install, compile ----------------------------------------
FROM ${NODE_IMAGE} AS build
# swagger-ui-dist pulls in @scarf/scarf, which phones home on install.
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig*.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- prod-deps: runtime node_modules only --------------------------------
# Separate stage so code changes do not reinstall dependencies. Install scripts
# stay on: argon2's only picks its bundled prebuild (no compiler needed).
FROM ${NODE_IMAGE} AS prod-deps
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="system-leadership-platform" \
      org.opencontainers.image.description="Leadership-development learning platform: API, worker and CLI" \
      org.opencontainers.image.licenses="UNLICENSED"
# tini as PID 1: forwards SIGTERM to node and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# Email templates (libs/notifications/templates) must reach dist/ via nest-cli
# "assets", or be copied here, once they exist.
# var/mail: .eml sink used when SMTP_URL is unset.
RUN mkdir -p /app/var/mail && chown -R node:node /app/var
USER node
EXPOSE 3000 3001
# Slim image has no curl; use node's fetch. Only meaningful for the api.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/api/src/main.js"]
