# syntax=docker/dockerfile:1
# security-mcp-server: the MCP server with nmap, masscan, gobuster, hydra, sqlmap and dig from Debian's packages.
# Build:  docker build -t security-mcp-server .
# Run:    see docker-compose.yml and docs/DEPLOY.md (HTTP needs an API key: MCP_SECURITY_API_KEYS).

# ---- build: install every dependency and bundle the CLI (npm run build: esbuild, dist/cli.js plus chunks) ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig*.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- runtime ----
FROM node:22-bookworm-slim AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="security-mcp-server" \
      org.opencontainers.image.description="MCP server that runs nmap, masscan, gobuster, hydra, sqlmap and dig for AI agents inside a fixed scope" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/node:22-bookworm-slim"

# The tools, bubblewrap (used when the container allows user namespaces; else the server runs tools under
# limits only and says so in /health), tini as PID 1, and setcap/getcap (the server reads file capabilities
# with getcap). util-linux (prlimit, setpriv) is part of the base image.
# nmap and masscan get cap_net_raw only, so they still start when the container's bounding set is just NET_RAW
# (cap_drop ALL + cap_add NET_RAW); the server sees the file capability and runs nmap with --privileged.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        nmap masscan gobuster hydra sqlmap bind9-dnsutils bubblewrap tini libcap2-bin ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && setcap cap_net_raw+ep /usr/bin/nmap \
    && setcap cap_net_raw+ep /usr/bin/masscan \
    && getcap /usr/bin/nmap /usr/bin/masscan \
    && groupadd --system --gid 10001 mcp \
    && useradd --system --uid 10001 --gid mcp --home-dir /data --no-create-home --shell /usr/sbin/nologin mcp \
    && mkdir -p /data \
    && chown mcp:mcp /data

WORKDIR /app
# The bundle carries its dependencies: no node_modules at run time. package.json gives the version.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY wordlists ./wordlists

# Writes go only to /tmp (tools' private working directories) and /data (the audit log).
ENV NODE_ENV=production \
    HOME=/data \
    TMPDIR=/tmp \
    MCP_SERVER_TRANSPORT=http \
    MCP_SERVER_HOST=0.0.0.0 \
    MCP_SERVER_PORT=8080 \
    MCP_AUDIT_PATH=/data/audit.jsonl
VOLUME ["/data"]
EXPOSE 8080
USER mcp:mcp

# /health is open (no API key); 200 healthy and 207 degraded pass, 503 unhealthy and no answer fail.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MCP_SERVER_PORT||8080)+'/health').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli.js"]
CMD ["serve"]
