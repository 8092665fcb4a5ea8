# kplane container image: one process, the Kubernetes API on the embedded datastore.
#   docker build -t kplane .
#   docker run -p 6443:6443 -v kplane-data:/var/lib/kplane kplane
#   docker cp <container>:/var/lib/kplane/kubeconfig .   (server URL: https://127.0.0.1:6443)

# --- build: full toolchain, dev dependencies, native better-sqlite3 build, tsup bundle
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsup.config.ts ./
COPY cmd ./cmd
COPY internal ./internal
COPY plugins ./plugins
RUN npm run build
# Production dependencies only, in a clean folder (the same steps test/e2e/image-bundle.test.ts runs).
RUN mkdir /out && cp package.json package-lock.json /out/ && cd /out && npm ci --omit=dev --ignore-scripts=false && npm cache clean --force

# --- runtime: no compiler, non-root, data on a volume
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/kplane
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY third_party ./third_party
COPY manifests ./manifests
RUN mkdir -p /var/lib/kplane && chown node:node /var/lib/kplane
USER node
VOLUME ["/var/lib/kplane"]
# 6443: the Kubernetes API; 6444: Raft traffic between nodes (mutual TLS), used once other nodes join.
EXPOSE 6443 6444
# /readyz answers anonymously; the CA is self-signed, so the check skips verification (loopback only).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "require('https').get({host:'127.0.0.1',port:6443,path:'/readyz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["/opt/kplane/bin/kplane", "server", "--data-dir", "/var/lib/kplane"]
