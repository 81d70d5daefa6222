# One image recipe for every service (each is a folder under services/, named by its Dapr app-id):
#   docker build --build-arg APP=catalog -t globalmart/catalog .
# Node 24 runs the TypeScript sources directly (type stripping): no build stage.
FROM node:24-slim
ARG APP
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/platform/package.json packages/platform/
COPY services/${APP}/package.json services/${APP}/
RUN npm ci --omit=dev --no-audit --no-fund -w @globalmart/${APP} --include-workspace-root=false
COPY packages/contracts/src packages/contracts/src
COPY packages/platform/src packages/platform/src
COPY services/${APP}/src services/${APP}/src
WORKDIR /app/services/${APP}
USER node
CMD ["node", "--import", "@globalmart/platform/telemetry", "src/main.ts"]
